-- grain: one row per campaign_year × region_code with at least one data-quality check run on it
-- The failing checks of marts.data_quality, gathered per region and year, so that every mart showing a
-- figure carries the same flags: those that block an award (ref.quality_checks.blocks_award) apart.
with results as (
    select campaign_year, region_code, check_name, passed from marts.data_quality
),

checks as (
    select check_name, blocks_award from ref.quality_checks
),

final as (
    select
        r.campaign_year,
        r.region_code,
        coalesce(list_sort(list(r.check_name) filter (where not r.passed)), []) as quality_flags,
        coalesce(list_sort(list(r.check_name) filter (where not r.passed and c.blocks_award)), [])
            as award_blocking_flags
    from results as r
    join checks as c using (check_name)
    group by all
)

select * from final
