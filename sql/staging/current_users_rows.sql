-- grain: one row per accepted row (region rows and total rows) of the current version of each current-users report
-- A current-users report (peserta KB aktif) counts the people using a method at a date: a stock with its own
-- target, never added to a PSA achievement. campaign_year is the report's year.
with current_submissions as (
    select * from staging.recap_submissions_current where report_kind = 'current_users'
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
        on r.file_sha256 = s.file_sha256 and r.report_year = s.campaign_year and r.scope_code = s.scope_code
)

select * from final
