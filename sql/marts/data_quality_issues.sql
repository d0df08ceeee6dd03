-- grain: one row per offending row of an audit in sql/audits/ (campaign_year × check_name × region_code × subject)
-- Each audit returns its bad rows; this is their union, with each check's dimension and each region's
-- level, name and parent on the map of the campaign year.
with issues as (
    select * from audits.reporting_rate
    union all by name
    select * from audits.on_time_rate
    union all by name
    select * from audits.facility_day_outlier
    union all by name
    select * from audits.regency_achievement_outlier
    union all by name
    select * from audits.achieved_vs_history
    union all by name
    select * from audits.target_vs_history
    union all by name
    select * from audits.recap_findings
    union all by name
    select * from audits.kbpp_within_total
    union all by name
    select * from audits.mkjp_share_range
    union all by name
    select * from audits.partial_sum
    union all by name
    select * from audits.recap_vs_facility
    union all by name
    select * from audits.copied_rows
),

checks as (
    select check_name, dimension from ref.quality_checks
),

regions as (
    select c.campaign_year, r.region_code, r.level, r.region_name, r.parent_code
    from ref.campaigns as c
    join ref.regions as r on r.map_version = c.region_map
),

final as (
    select
        i.campaign_year,
        k.dimension,
        i.check_name,
        r.level,
        i.region_code,
        r.region_name,
        r.parent_code,
        i.subject,
        i.severity,
        i.value,
        i.reference_value,
        i.message
    from issues as i
    join checks as k using (check_name)
    left join regions as r using (campaign_year, region_code)
)

select * from final
