-- grain: one row per campaign_year × region_code whose figures are summed from only part of its children (staging.achievement.is_partial)
with final as (
    select
        campaign_year,
        region_code,
        children_reported as value,
        children_expected as reference_value,
        'Angka ' || region_name || ' dijumlah dari hanya ' || children_reported || ' dari ' || children_expected
            || ' wilayah di bawahnya: belum lengkap.' as message
    from staging.achievement
    where is_partial and 100.0 * children_reported < threshold('partial_sum', 'threshold') * children_expected
)

select * from final
