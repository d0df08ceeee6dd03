-- grain: one row per current submission: campaign_year × report_kind × scope_code (the latest load of each)
-- A recap's scope is (campaign_year, report_kind, scope_code): the parent region at any level, so a corrected
-- kabupaten recap replaces only that kabupaten's earlier one. A load that accepted no row never supersedes.
with submissions as (
    select * from audit.recap_submissions where rows_accepted > 0
),

versions as (
    select
        *,
        row_number() over (partition by campaign_year, report_kind, scope_code order by load_seq desc) as newest_first
    from submissions
),

final as (
    select * exclude (newest_first) from versions where newest_first = 1
)

select * from final
