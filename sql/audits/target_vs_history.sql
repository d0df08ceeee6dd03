-- grain: one row per campaign_year × region_code (province, kabupaten/kota) whose target strays from its history more than its level's does
-- Consistency over time: the target rows of the history comparison beyond the threshold (history_findings).
with comparison as (
    select * from staging.history_comparison
),

final as (
    select * from history_findings(comparison, 'target', 'Sasaran')
)

select * from final
