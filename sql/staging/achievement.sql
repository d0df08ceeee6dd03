-- grain: one row per campaign_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the campaign year
-- The PSA figures by level: what the audits check, and what the achievement mart shows with their flags.
-- Current-users reports are not PSA figures: the current-users mart has them, never this table.
with final as (
    select * exclude (report_kind) from staging.figures_by_level where report_kind = 'psa'
)

select * from final
