-- grain: one row per report_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the report year
-- New acceptors (peserta KB baru): people who started a method in the report year, never a PSA figure nor
-- a current user. Figures by level as for the other kinds (staging.figures_by_level), with the data-quality
-- checks failing for the region and year (marts.quality_flags); the columns are staging.people_counted's.
with final as (
    select * exclude (report_kind) rename (people as new_users, mkjp_people as mkjp_new_users)
    from staging.people_counted
    where report_kind = 'new_users'
)

select * from final
