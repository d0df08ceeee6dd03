-- grain: one row per campaign_year × region_code (the nation, provinces, kabupaten/kota, kecamatan), on the map of the campaign year
-- The figures of staging.achievement with the data-quality checks failing for the region and year beside
-- them (marts.quality_flags): a doubted figure is never shown without its doubt; the parent's name beside its
-- code, and why a method breakdown is missing where it is.
with figures as (
    select * from staging.achievement
),

flags as (
    select campaign_year, region_code, quality_flags from marts.quality_flags
),

parents as (
    select map_version, region_code as parent_code, region_name as parent_name from ref.regions
),

final as (
    select
        f.*,
        coalesce(q.quality_flags, []) as quality_flags,
        p.parent_name,
        case
            when f.achieved is null then null
            when f.mkjp_achieved is not null and f.pill is not null and f.condom is not null
                and f.injectable is not null then null
            when f.figures_from like 'sum_of_%' then 'children_without_breakdown'
            else 'source_without_breakdown'
        end as breakdown_missing_reason
    from figures as f
    left join flags as q using (campaign_year, region_code)
    left join parents as p using (map_version, parent_code)
)

select * from final
