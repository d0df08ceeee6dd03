-- grain: one row per offending row of an audit in sql/audits/ (campaign_year × check_name × region_code × subject)
-- Each audit returns its bad rows; audits.issues is their union (every audit of sql/audits/checks.csv, each
-- row with its check's name; the transform writes it), here with each check's dimension and each region's
-- level, name and parent on the map of the campaign year.
with issues as (
    select * from audits.issues
),

checks as (
    select check_name, dimension from ref.quality_checks
),

regions as (
    select * from campaign_regions()
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
