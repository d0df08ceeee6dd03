-- grain: one row per campaign_year × measure × region_code (province, kabupaten/kota) with earlier campaigns to compare with
-- WHO Data Quality Review, consistency over time: a region's figure (measure: 'achieved' or 'target') this
-- year over the mean of its previous history_years campaigns (fewer when fewer exist), set against the same
-- ratio over all regions of its level that have both; flagged beyond the check's threshold
-- (<measure>_vs_history in ref.quality_thresholds). Regions are followed by their code on today's map
-- (current_region_code), so a kabupaten/kota that moved in the 2022 Papua split is compared with itself under
-- its old code; pre-split Papua and Papua Barat have no single successor and are not compared.
with params as (
    select
        split_part(check_name, '_vs_history', 1) as measure,
        max(value) filter (where parameter = 'threshold') as max_difference_pct,
        max(value) filter (where parameter = 'history_years') as history_years
    from ref.quality_thresholds
    where check_name in ('achieved_vs_history', 'target_vs_history')
    group by all
),

campaign_order as (
    select campaign_year, row_number() over (order by campaign_year) as seq from ref.campaigns
),

figures as (
    unpivot (
        select a.campaign_year, c.seq, a.level, a.region_code, a.current_region_code, a.achieved, a.target
        from staging.achievement as a
        join campaign_order as c using (campaign_year)
        where a.level in ('province', 'regency') and a.current_region_code is not null
    )
    on achieved, target into name measure value figure
),

history as (
    select
        cur.campaign_year, cur.measure, cur.level, cur.region_code, cur.figure,
        avg(prev.figure) as history_mean,
        count(*) as campaigns_compared,
        string_agg(prev.campaign_year || case when prev.region_code <> cur.region_code
                                              then ' (kode ' || prev.region_code || ')' else '' end,
                   ', ' order by prev.campaign_year) as compared_with
    from figures as cur
    join params as p using (measure)
    join figures as prev
        on prev.current_region_code = cur.current_region_code
        and prev.measure = cur.measure
        and prev.level = cur.level
        and prev.seq between cur.seq - p.history_years and cur.seq - 1
    group by all
),

level_ratios as (
    select campaign_year, measure, level, sum(figure) / sum(history_mean) as level_ratio
    from history
    group by all
),

final as (
    select
        h.campaign_year,
        h.measure,
        h.measure || '_vs_history' as check_name,
        h.level,
        h.region_code,
        h.figure,
        h.history_mean,
        h.campaigns_compared,
        h.compared_with,
        h.figure / h.history_mean as ratio,
        l.level_ratio,
        round(100.0 * ((h.figure / h.history_mean) / l.level_ratio - 1), 2) as difference_pct,
        p.max_difference_pct,
        p.history_years,
        abs(round(100.0 * ((h.figure / h.history_mean) / l.level_ratio - 1), 2)) > p.max_difference_pct as flagged
    from history as h
    join level_ratios as l using (campaign_year, measure, level)
    join params as p using (measure)
    where h.history_mean > 0 and l.level_ratio > 0
)

select * from final
