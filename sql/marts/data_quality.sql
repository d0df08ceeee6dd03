-- grain: one row per campaign_year × region_code × check_name, for every region the check's source covers that year
-- A check on recaps covers the regions of staging.achievement; on facility reports, the kabupaten/kota of the
-- facility register with their provinces and the nation; on both, the regions of marts.reconciliation.
-- Passed: fewer offending rows than flag_rows (default 1) and, for outliers, fewer moderate ones than
-- flag_moderate_rows (ref.quality_thresholds).
with checks as (
    select check_name, dimension, source from ref.quality_checks
),

thresholds as (
    select
        check_name,
        max(value) filter (where parameter = 'threshold') as threshold,
        coalesce(max(value) filter (where parameter = 'flag_rows'), 1) as flag_rows,
        max(value) filter (where parameter = 'flag_moderate_rows') as flag_moderate_rows
    from ref.quality_thresholds
    group by all
),

register as (
    select distinct campaign_year, regency_code, province_code from staging.facilities
),

covered as (
    select campaign_year, region_code, 'recap' as source from staging.achievement
    union
    select campaign_year, regency_code, 'facility' from register
    union
    select campaign_year, province_code, 'facility' from register
    union
    select campaign_year, '00', 'facility' from register
    union
    select campaign_year, region_code, 'both' from marts.reconciliation
),

issues as (
    select * from marts.data_quality_issues
),

counts as (
    select
        campaign_year, region_code, check_name,
        count(*) as offending_rows,
        count(*) filter (where severity = 'moderate') as moderate_rows,
        arg_max(value, abs(value - coalesce(reference_value, 0)) / greatest(abs(reference_value), 1)) as measure
    from issues
    group by all
),

population as (
    select c.campaign_year, c.region_code, k.check_name, k.dimension
    from covered as c
    join checks as k using (source)
    union
    select i.campaign_year, i.region_code, i.check_name, i.dimension
    from issues as i
),

regions as (
    select * from campaign_regions()
),

final as (
    select
        p.campaign_year,
        r.level,
        p.region_code,
        r.region_name,
        r.parent_code,
        p.dimension,
        p.check_name,
        n.measure,
        t.threshold,
        coalesce(n.offending_rows, 0) as offending_rows,
        coalesce(n.moderate_rows, 0) as moderate_rows,
        coalesce(n.offending_rows - n.moderate_rows, 0) < coalesce(t.flag_rows, 1)
            and (t.flag_moderate_rows is null or coalesce(n.moderate_rows, 0) < t.flag_moderate_rows) as passed
    from population as p
    left join thresholds as t using (check_name)
    left join counts as n using (campaign_year, region_code, check_name)
    left join regions as r using (campaign_year, region_code)
)

select * from final
