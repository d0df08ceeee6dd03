-- grain: one row per report_kind × report_year × region_code of the kinds that count people (current users, new acceptors)
-- A count of people by region and report year from the figures by level of its kind, with the data-quality
-- checks failing for the region and year; the mart of each kind (current_users, new_users in marts)
-- names the count (people, mkjp_people) as its own.
with final as (
    select
        -- identity
        f.report_kind,
        f.campaign_year as report_year,
        f.campaign_year,
        f.map_version,
        f.level,
        f.region_code,
        f.region_name,
        f.parent_code,

        -- the count against its target
        f.target,
        f.achieved as people,
        f.achievement_pct,

        -- methods
        f.pill, f.condom, f.injectable, f.iud, f.implant, f.mow, f.mop,
        f.mkjp_achieved as mkjp_people,
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
    from staging.figures_by_level as f
    left join marts.quality_flags as q using (campaign_year, region_code)
    where f.report_kind in ('current_users', 'new_users')
)

select * from final
