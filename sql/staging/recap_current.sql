-- grain: one row per accepted row (region rows and total rows) of the current version of each recap
-- A recap's scope is (campaign_year, scope_code); its latest load is current, earlier loads stay in
-- staging.recap_rows for tracing. A load that accepted no row never supersedes anything.
with submissions as (
    select * from audit.recap_submissions where rows_accepted > 0
),

versions as (
    select
        *,
        row_number() over (partition by campaign_year, scope_code order by load_seq desc) as newest_first
    from submissions
),

current_submissions as (
    select * from versions where newest_first = 1
),

final as (
    select
        s.campaign_year,
        s.map_version,
        s.scope_code,
        s.row_level,
        r.*
    from current_submissions as s
    join staging.recap_rows as r using (file_sha256)
)

select * from final
