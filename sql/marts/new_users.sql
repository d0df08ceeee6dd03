-- grain: one row per report_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the report year
-- New acceptors (peserta KB baru): people who started a method in the report year, never a PSA figure nor
-- a current user. Figures by level as for the other kinds (staging.figures_by_level), with the data-quality
-- checks failing for the region and year (marts.quality_flags); the columns are people_counted's (sql/macros.sql).
with figures as (
    select * from staging.figures_by_level where report_kind = 'new_users'
),

flags as (
    select campaign_year, region_code, quality_flags from marts.quality_flags
),

final as (
    select * rename (people as new_users, mkjp_people as mkjp_new_users) from people_counted(figures, flags)
)

select * from final
