-- grain: one row per report_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the report year
-- Current users (peserta KB aktif): people using a method at a date, a stock with its own target, never a
-- PSA figure. Figures by level as for PSA (staging.figures_by_level), with the data-quality checks failing
-- for the region and year (marts.quality_flags).
with figures as (
    select * from staging.figures_by_level where report_kind = 'current_users'
),

flags as (
    select campaign_year, region_code, quality_flags from marts.quality_flags
),

final as (
    select
        -- identity
        f.campaign_year as report_year,
        f.campaign_year,
        f.map_version,
        f.level,
        f.region_code,
        f.region_name,
        f.parent_code,

        -- current users against their target
        f.target,
        f.achieved as current_users,
        f.achievement_pct,

        -- methods
        f.pill, f.condom, f.injectable, f.iud, f.implant, f.mow, f.mop,
        f.mkjp_achieved as mkjp_users,
        f.mkjp_share_pct,

        -- lineage
        f.figures_from,
        f.source_file,
        f.source_file_sha256,
        f.source_row,

        -- completeness of a sum over children
        f.children_reported,
        f.children_expected,
        f.is_partial,

        -- data quality
        coalesce(q.quality_flags, []) as quality_flags
    from figures as f
    left join flags as q using (campaign_year, region_code)
)

select * from final
