-- grain: one row per campaign_year × region_code whose figures are summed from only part of its children (staging.achievement.is_partial)
with threshold as (
    select value as min_pct
    from ref.quality_thresholds
    where check_name = 'partial_sum' and parameter = 'threshold'
),

final as (
    select
        a.campaign_year,
        'partial_sum' as check_name,
        a.region_code,
        cast(null as varchar) as subject,
        'flag' as severity,
        cast(a.children_reported as double) as value,
        cast(a.children_expected as double) as reference_value,
        'Angka ' || a.region_name || ' dijumlah dari hanya ' || a.children_reported || ' dari '
            || a.children_expected || ' wilayah di bawahnya: belum lengkap.' as message
    from staging.achievement as a
    cross join threshold as t
    where a.is_partial and 100.0 * a.children_reported < t.min_pct * a.children_expected
)

select * from final
