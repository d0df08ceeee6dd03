-- grain: one row per campaign_year × region_code whose MKJP share is below 0% or above the threshold
with threshold as (
    select value as max_pct
    from ref.quality_thresholds
    where check_name = 'mkjp_share_range' and parameter = 'threshold'
),

final as (
    select
        a.campaign_year,
        'mkjp_share_range' as check_name,
        a.region_code,
        a.source_file as subject,
        'flag' as severity,
        cast(a.mkjp_share_pct as double) as value,
        t.max_pct as reference_value,
        'Porsi MKJP ' || id_decimal(a.mkjp_share_pct) || '% di luar 0-'
            || id_decimal(t.max_pct) || '%: metode jangka panjang '
            || id_number(a.mkjp_achieved) || ' dari '
            || id_number(a.achieved) || ' akseptor.' as message
    from staging.achievement as a
    cross join threshold as t
    where a.mkjp_share_pct < 0 or a.mkjp_share_pct > t.max_pct
)

select * from final
