-- grain: one row per campaign_year × region_code whose post-partum (KBPP) acceptors exceed the threshold share of all acceptors
with regions as (
    select distinct campaign_year, region_code, kbpp_achieved, region_achieved
    from marts.service_mix
),

final as (
    select
        campaign_year,
        region_code,
        kbpp_achieved as value,
        region_achieved as reference_value,
        'Akseptor KBPP (' || id_number(kbpp_achieved) || ') melebihi seluruh akseptor yang dilayani ('
            || id_number(region_achieved) || ').' as message
    from regions
    where 100.0 * kbpp_achieved > threshold('kbpp_within_total', 'threshold') * region_achieved
)

select * from final
