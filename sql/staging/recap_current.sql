-- grain: one row per region row (and total row) of the current figures of each PSA recap scope
-- Current-users reports are not PSA figures: they are in staging.current_users_rows, never here.
with final as (
    select * exclude (report_kind) from staging.recap_rows_current where report_kind = 'psa'
)

select * from final
