-- grain: one row per campaign_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the campaign year
-- The figures of staging.achievement with the data-quality checks failing for the region and year beside
-- them (marts.quality_flags): a doubted figure is never shown without its doubt.
with figures as (
    select * from staging.achievement
),

flags as (
    select campaign_year, region_code, quality_flags from marts.quality_flags
),

final as (
    select
        f.*,
        coalesce(q.quality_flags, []) as quality_flags
    from figures as f
    left join flags as q using (campaign_year, region_code)
)

select * from final
