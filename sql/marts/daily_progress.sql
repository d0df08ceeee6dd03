-- grain: one row per campaign_year × report_date × region_code (kecamatan, kabupaten/kota, province, nation) over the campaign window
with served as (
    select * from staging.daily_by_region
),

targets as (
    select * from staging.daily_targets_by_region
),

reached as (
    select * from staging.target_reached
),

campaign_days as (
    select
        campaign_year,
        region_map as map_version,
        unnest(generate_series(first_service_day, last_service_day, interval 1 day))
            as report_day
    from ref.campaigns
),

regions_in_scope as (
    select distinct campaign_year, region_code, level from served
    union
    select distinct campaign_year, region_code, level from targets
),

grid as (
    select r.campaign_year, d.map_version, cast(d.report_day as date) as report_date, r.region_code, r.level
    from regions_in_scope as r
    join campaign_days as d using (campaign_year)
),

daily as (
    select
        g.*,
        coalesce(s.achieved, 0) as achieved_on_day,
        sum(coalesce(s.achieved, 0)) over (
            partition by g.campaign_year, g.region_code order by g.report_date
        ) as cumulative_achieved
    from grid as g
    left join served as s using (campaign_year, report_date, region_code)
),

final as (
    select
        d.campaign_year,
        d.report_date,
        d.level,
        d.region_code,
        n.region_name,
        n.parent_code,
        cast(d.achieved_on_day as bigint) as achieved_on_day,
        cast(d.cumulative_achieved as bigint) as cumulative_achieved,
        t.target,
        case when t.target > 0
            then pct(d.cumulative_achieved, t.target)
        end as cumulative_pct,
        r.reached_target_on,
        timezone('Asia/Jakarta', r.reached_target_at) as reached_target_at_wib
    from daily as d
    left join targets as t using (campaign_year, region_code)
    left join reached as r using (campaign_year, region_code)
    left join ref.regions as n on n.map_version = d.map_version and n.region_code = d.region_code
)

select * from final
