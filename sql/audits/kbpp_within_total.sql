-- grain: one row per campaign_year × region_code whose post-partum (KBPP) acceptors exceed the threshold share of all acceptors
with threshold as (
    select value as max_pct
    from ref.quality_thresholds
    where check_name = 'kbpp_within_total' and parameter = 'threshold'
),

regions as (
    select distinct campaign_year, region_code, kbpp_achieved, region_achieved
    from marts.service_mix
),

final as (
    select
        r.campaign_year,
        'kbpp_within_total' as check_name,
        r.region_code,
        cast(null as varchar) as subject,
        'flag' as severity,
        cast(r.kbpp_achieved as double) as value,
        cast(r.region_achieved as double) as reference_value,
        'Akseptor KBPP (' || id_number(r.kbpp_achieved)
            || ') melebihi seluruh akseptor yang dilayani ('
            || id_number(r.region_achieved) || ').' as message
    from regions as r
    cross join threshold as t
    where 100.0 * r.kbpp_achieved > t.max_pct * r.region_achieved
)

select * from final
