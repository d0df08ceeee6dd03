-- grain: one row per campaign_year × region_code × method × service_type (kabupaten/kota, province, nation)
with records as (
    select * from staging.daily_current
),

targets as (
    select * from staging.daily_targets_by_region
),

by_level as (
    select campaign_year, regency_code as region_code, 'regency' as level, method, service_type, sum(acceptors) as achieved
    from records group by all
    union all
    select campaign_year, province_code, 'province', method, service_type, sum(acceptors) from records group by all
    union all
    select campaign_year, '00', 'national', method, service_type, sum(acceptors) from records group by all
),

with_totals as (
    select
        *,
        sum(achieved) over (partition by campaign_year, region_code) as region_achieved,
        sum(achieved) filter (where service_type = 'postpartum') over (partition by campaign_year, region_code)
            as kbpp_achieved
    from by_level
),

final as (
    select
        w.campaign_year,
        w.level,
        w.region_code,
        w.method,
        w.service_type,
        cast(w.achieved as bigint) as achieved,
        pct(w.achieved, w.region_achieved) as share_pct,
        cast(w.region_achieved as bigint) as region_achieved,
        cast(coalesce(w.kbpp_achieved, 0) as bigint) as kbpp_achieved,
        pct(coalesce(w.kbpp_achieved, 0), w.region_achieved) as kbpp_share_pct,
        t.kbpp_target,
        case when t.kbpp_target > 0
            then pct(coalesce(w.kbpp_achieved, 0), t.kbpp_target)
        end as kbpp_achievement_pct
    from with_totals as w
    left join targets as t using (campaign_year, region_code)
)

select * from final
