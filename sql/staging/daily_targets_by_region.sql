-- grain: one row per campaign_year × region_code with a daily-data target (kecamatan where set, kabupaten/kota, province, nation)
with targets as (
    select * from staging.daily_targets
),

regencies as (
    select * from targets where level = 'regency'
),

final as (
    select campaign_year, region_code, level, target, kbpp_target from targets
    union all
    select campaign_year, province_code, 'province', cast(sum(target) as bigint), cast(sum(kbpp_target) as bigint)
    from regencies group by all
    union all
    select campaign_year, '00', 'national', cast(sum(target) as bigint), cast(sum(kbpp_target) as bigint)
    from regencies group by all
)

select * from final
