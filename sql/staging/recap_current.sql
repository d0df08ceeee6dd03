-- grain: one row per accepted row (region rows and total rows) of the current version of each PSA recap
-- Earlier versions stay in staging.recap_rows for tracing. Current-users reports are not PSA figures: they
-- are in staging.current_users_rows, never here.
with current_submissions as (
    select * from staging.recap_submissions_current where report_kind = 'psa'
),

final as (
    select
        s.campaign_year,
        s.map_version,
        s.scope_code,
        s.row_level,
        r.* exclude (report_year, scope_code)
    from current_submissions as s
    join staging.recap_rows as r
        on r.file_sha256 = s.file_sha256 and coalesce(r.report_year, s.campaign_year) = s.campaign_year
        and coalesce(r.scope_code, s.scope_code) = s.scope_code
)

select * from final
