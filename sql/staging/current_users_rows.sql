-- grain: one row per region row (and total row) of the current figures of each current-users report scope
-- A current-users report (peserta KB aktif) counts the people using a method at a date: a stock with its own
-- target, never added to a PSA achievement. campaign_year is the report's year.
with final as (
    select * exclude (report_kind) from staging.recap_rows_current where report_kind = 'current_users'
)

select * from final
