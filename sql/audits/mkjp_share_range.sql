-- grain: one row per campaign_year × region_code whose MKJP share is below 0% or above the threshold
with limits as (
    select *, threshold('mkjp_share_range', 'threshold') as max_pct
    from staging.achievement
),

final as (
    select
        campaign_year,
        region_code,
        source_file as subject,
        mkjp_share_pct as value,
        max_pct as reference_value,
        'Porsi MKJP ' || id_decimal(mkjp_share_pct) || '% di luar 0-' || id_decimal(max_pct)
            || '%: metode jangka panjang ' || id_number(mkjp_achieved) || ' dari ' || id_number(achieved)
            || ' akseptor.' as message
    from limits
    where mkjp_share_pct < 0 or mkjp_share_pct > max_pct
)

select * from final
