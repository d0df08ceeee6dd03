-- grain: one row per campaign_year × ranking × scope_code × region_code
-- Rankings: 'national' (provinces), 'province' (kabupaten/kota within their province), 'regency' (kecamatan
-- within their kabupaten/kota), 'group' (kabupaten/kota within a target-size group of ref.target_groups),
-- all by recap achievement; and
-- from daily facility data, by the day, then the moment, a region reached 100% of its target, then by
-- achievement (those that never reached it last): 'fastest_to_target' (kabupaten/kota within their
-- province), 'fastest_national' (provinces within the nation) and 'fastest_regency' (kecamatan within their
-- kabupaten/kota).
-- Regions without a target are not ranked. Ties share a rank (1, 2, 2, 4); position breaks them by
-- achieved, then code. A region whose figure fails a check that blocks awards (ref.quality_checks) keeps its
-- rank but is not award_eligible; award_rank ranks the eligible alone (what juara lists follow).
with flags as (
    select * from marts.quality_flags
),

achievement as (
    select * from marts.achievement where achievement_pct is not null
),

provinces as (
    select map_version, region_code, region_name from ref.regions where level = 'province'
),

regencies as (
    select map_version, region_code, region_name from ref.regions where level = 'regency'
),

target_groups as (
    select * from ref.target_groups
),

national as (
    select a.*, 'national' as ranking, '00' as scope_code, 'Indonesia' as scope_name
    from achievement as a
    where a.level = 'province'
),

within_province as (
    select a.*, 'province' as ranking, a.parent_code as scope_code, p.region_name as scope_name
    from achievement as a
    join provinces as p on p.map_version = a.map_version and p.region_code = a.parent_code
    where a.level = 'regency'
),

within_regency as (
    select a.*, 'regency' as ranking, a.parent_code as scope_code, g.region_name as scope_name
    from achievement as a
    join regencies as g on g.map_version = a.map_version and g.region_code = a.parent_code
    where a.level = 'district'
),

within_group as (
    select a.*, 'group' as ranking, g.group_name as scope_code, g.group_name as scope_name
    from achievement as a
    join target_groups as g
        on g.campaign_year = a.campaign_year
        and (g.province_code = '*' or g.province_code = a.parent_code)
        and a.target >= coalesce(g.min_target, 0)
        and (g.max_target is null or a.target <= g.max_target)
    where a.level = 'regency'
),

daily_final as (
    select * from marts.daily_progress
    where level in ('province', 'regency', 'district') and target > 0
    qualify row_number() over (partition by campaign_year, region_code order by report_date desc) = 1
),

-- each level's ranking within its parent (a province's parent is the nation, '00', named in ref.regions)
fastest as (
    select
        d.campaign_year, d.region_code, d.region_name, d.level, d.target,
        d.cumulative_achieved as achieved, d.cumulative_pct as achievement_pct,
        r.reached_target_on, r.reached_target_at,
        case d.level when 'province' then 'fastest_national' when 'regency' then 'fastest_to_target'
                     else 'fastest_regency' end as ranking,
        d.parent_code as scope_code, p.region_name as scope_name
    from daily_final as d
    left join staging.target_reached as r using (campaign_year, region_code)
    join ref.campaigns as c using (campaign_year)
    join ref.regions as p on p.map_version = c.region_map and p.region_code = d.parent_code
),

ranked_by_speed as (
    select
        *,
        rank() over (scope order by reached_target_on asc nulls last, reached_target_at asc nulls last,
                     achievement_pct desc) as rank,
        rank() over (eligible order by reached_target_on asc nulls last, reached_target_at asc nulls last,
                     achievement_pct desc) as eligible_rank,
        row_number() over (scope order by reached_target_on asc nulls last, reached_target_at asc nulls last,
                           achievement_pct desc, achieved desc, region_code) as position
    from (
        select f.*, coalesce(q.quality_flags, []) as quality_flags,
               len(coalesce(q.award_blocking_flags, [])) = 0 as award_eligible
        from fastest as f
        left join flags as q using (campaign_year, region_code)
    )
    window scope as (partition by campaign_year, ranking, scope_code),
           eligible as (partition by campaign_year, ranking, scope_code, award_eligible)
),

ranked_by_achievement as (
    select
        *,
        rank() over (scope order by achievement_pct desc) as rank,
        rank() over (eligible order by achievement_pct desc) as eligible_rank,
        row_number() over (scope order by achievement_pct desc, achieved desc, region_code) as position
    from (
        select u.*, len(coalesce(q.award_blocking_flags, [])) = 0 as award_eligible
        from (
            select * from national
            union all by name
            select * from within_province
            union all by name
            select * from within_regency
            union all by name
            select * from within_group
        ) as u
        left join flags as q using (campaign_year, region_code)
    )
    window scope as (partition by campaign_year, ranking, scope_code),
           eligible as (partition by campaign_year, ranking, scope_code, award_eligible)
),

ranked as (
    select * from ranked_by_achievement
    union all by name
    select * from ranked_by_speed
),

final as (
    select
        campaign_year,
        ranking,
        scope_code,
        scope_name,
        rank,
        position,
        region_code,
        region_name,
        level,
        achievement_pct,
        achieved,
        target,
        mkjp_achieved,
        reached_target_on,
        reached_target_at,
        quality_flags,
        award_eligible,
        case when award_eligible then eligible_rank end as award_rank,
        timezone('Asia/Jakarta', reached_target_at) as reached_target_at_wib
    from ranked
)

select * from final
