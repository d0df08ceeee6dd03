-- grain: one row per report_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the report year
-- Current users (peserta KB aktif): people using a method at a date, a stock with its own target, never a
-- PSA figure. Figures by level as for PSA (staging.figures_by_level), with the data-quality checks failing
-- for the region and year (marts.quality_flags); the columns are people_counted's (sql/macros.sql).
with figures as (
    select * from staging.figures_by_level where report_kind = 'current_users'
),

flags as (
    select campaign_year, region_code, quality_flags from marts.quality_flags
),

final as (
    select * rename (people as current_users, mkjp_people as mkjp_users) from people_counted(figures, flags)
)

select * from final
