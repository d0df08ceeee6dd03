-- grain: one row per report_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the report year
-- Current users (peserta KB aktif): people using a method at a date, a stock with its own target, never a
-- PSA figure. Figures by level as for PSA (staging.figures_by_level), with the data-quality checks failing
-- for the region and year (marts.quality_flags); the columns are staging.people_counted's.
with final as (
    select * exclude (report_kind) rename (people as current_users, mkjp_people as mkjp_users)
    from staging.people_counted
    where report_kind = 'current_users'
)

select * from final
