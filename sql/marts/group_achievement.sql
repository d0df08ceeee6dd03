-- grain: one row per campaign_year × group_name (every group of ref.region_groups in every campaign year with figures)
-- A group's kabupaten/kota are those ref.region_groups lists for the year, on the year's map; outside_
-- columns are every other kabupaten/kota with figures that year. target and achieved are given only
-- when every region counted has them (no partial sums); the MKJP share is over the regions that gave a
-- method breakdown (mkjp_regions), numerator and denominator from the same regions. In a year the group
-- has no list for (the daerah tertinggal 2020-2024 in 2025), group_regions is 0 and the figures are NULL.
with achievement as (
    select campaign_year, map_version, region_code, target, achieved, mkjp_achieved
    from staging.achievement
    where level = 'regency'
),

years as (
    select distinct campaign_year, map_version from staging.achievement
),

members as (
    select group_name, first_year, last_year, map_version, region_code from ref.region_groups
),

group_names as (
    select distinct group_name from members
),

-- every group in every year, with the number of kabupaten/kota it lists on that year's map
group_years as (
    select y.campaign_year, y.map_version, g.group_name, count(m.region_code) as group_regions
    from years as y
    cross join group_names as g
    left join members as m
        on m.group_name = g.group_name
        and m.map_version = y.map_version
        and y.campaign_year between m.first_year and m.last_year
    group by all
),

-- each kabupaten/kota with figures, inside or outside each group listed that year
placed as (
    select gy.campaign_year, gy.group_name, m.region_code is not null as in_group, a.target, a.achieved,
           a.mkjp_achieved
    from group_years as gy
    join achievement as a on a.campaign_year = gy.campaign_year
    left join members as m
        on m.group_name = gy.group_name
        and m.map_version = a.map_version
        and m.region_code = a.region_code
        and a.campaign_year between m.first_year and m.last_year
    where gy.group_regions > 0
),

sums as (
    select
        campaign_year, group_name, in_group,
        count(*) as regions,
        case when count(target) = count(*) then sum(target) end as target,
        case when count(achieved) = count(*) then sum(achieved) end as achieved,
        count(mkjp_achieved) as mkjp_regions,
        sum(mkjp_achieved) as mkjp_achieved,
        sum(achieved) filter (where mkjp_achieved is not null) as achieved_with_methods
    from placed
    group by all
),

final as (
    select
        -- identity
        gy.campaign_year,
        gy.map_version,
        gy.group_name,
        cast(gy.group_regions as bigint) as group_regions,

        -- the group
        cast(coalesce(i.regions, 0) as bigint) as regions,
        cast(i.target as bigint) as target,
        cast(i.achieved as bigint) as achieved,
        case when i.target > 0 then pct(i.achieved, i.target) end
            as achievement_pct,
        cast(coalesce(i.mkjp_regions, 0) as bigint) as mkjp_regions,
        case when i.achieved_with_methods > 0
            then pct(i.mkjp_achieved, i.achieved_with_methods)
        end as mkjp_share_pct,

        -- the other kabupaten/kota
        cast(case when gy.group_regions > 0 then coalesce(o.regions, 0) end as bigint) as outside_regions,
        cast(o.target as bigint) as outside_target,
        cast(o.achieved as bigint) as outside_achieved,
        case when o.target > 0 then pct(o.achieved, o.target) end
            as outside_achievement_pct,
        cast(case when gy.group_regions > 0 then coalesce(o.mkjp_regions, 0) end as bigint) as outside_mkjp_regions,
        case when o.achieved_with_methods > 0
            then pct(o.mkjp_achieved, o.achieved_with_methods)
        end as outside_mkjp_share_pct
    from group_years as gy
    left join sums as i on i.campaign_year = gy.campaign_year and i.group_name = gy.group_name and i.in_group
    left join sums as o on o.campaign_year = gy.campaign_year and o.group_name = gy.group_name and not o.in_group
)

select * from final
