-- grain: one row per campaign_year × region_code (province, kabupaten/kota) whose achieved strays from its history more than its level's does
-- Consistency over time (staging.history_comparison): the achieved figure against the mean of the region's
-- previous campaigns, beyond the threshold of achieved_vs_history.
with final as (
    select campaign_year, 'achieved_vs_history' as check_name, region_code, compared_with as subject, 'flag' as severity,
           cast(figure as double) as value, round(history_mean, 2) as reference_value,
           history_message('Capaian', figure, ratio, history_mean, campaigns_compared, history_years, compared_with,
                           level, level_ratio, difference_pct, max_difference_pct) as message
    from staging.history_comparison
    where measure = 'achieved' and flagged
)

select * from final
