-- grain: one row per campaign_year × region_code (province, kabupaten/kota) whose achieved strays from its history more than the nation's does
-- WHO Data Quality Review, consistency over time: the region's achieved this year over the mean of its previous
-- history_years campaigns (fewer when fewer exist), set against the same ratio over all regions of its
-- level that have both. Regions are followed by their code on today's map (current_region_code), so a
-- kabupaten/kota that moved in the 2022 Papua split is compared with itself under its old code; pre-split
-- Papua and Papua Barat have no single successor and are not compared.
with params as (
    select
        max(value) filter (where parameter = 'threshold') as max_difference_pct,
        max(value) filter (where parameter = 'history_years') as history_years
    from ref.quality_thresholds
    where check_name = 'achieved_vs_history'
),

campaign_order as (
    select campaign_year, row_number() over (order by campaign_year) as seq from ref.campaigns
),

figures as (
    select a.campaign_year, c.seq, a.level, a.region_code, a.current_region_code, a.achieved as figure
    from staging.achievement as a
    join campaign_order as c using (campaign_year)
    where a.level in ('province', 'regency') and a.current_region_code is not null and a.achieved is not null
),

history as (
    select
        cur.campaign_year, cur.level, cur.region_code, cur.figure,
        avg(prev.figure) as history_mean,
        count(*) as campaigns_compared,
        string_agg(prev.campaign_year || case when prev.region_code <> cur.region_code
                                              then ' (kode ' || prev.region_code || ')' else '' end,
                   ', ' order by prev.campaign_year) as compared_with
    from figures as cur
    cross join params as p
    join figures as prev
        on prev.current_region_code = cur.current_region_code
        and prev.level = cur.level
        and prev.seq between cur.seq - p.history_years and cur.seq - 1
    group by all
),

level_ratios as (
    select campaign_year, level, sum(figure) / sum(history_mean) as level_ratio
    from history
    group by all
),

compared as (
    select
        h.*,
        h.figure / h.history_mean as ratio,
        l.level_ratio,
        round(100.0 * ((h.figure / h.history_mean) / l.level_ratio - 1), 2) as difference_pct
    from history as h
    join level_ratios as l using (campaign_year, level)
    where h.history_mean > 0 and l.level_ratio > 0
),

final as (
    select
        c.campaign_year,
        'achieved_vs_history' as check_name,
        c.region_code,
        c.compared_with as subject,
        'flag' as severity,
        cast(c.figure as double) as value,
        round(c.history_mean, 2) as reference_value,
        'Capaian ' || replace(format('{:,}', cast(c.figure as bigint)), ',', '.') || ' adalah '
            || replace(printf('%.2f', c.ratio), '.', ',') || '× rata-rata '
            || case when c.campaigns_compared < p.history_years
                    then 'hanya ' || c.campaigns_compared || ' kampanye sebelumnya yang ada'
                    else c.campaigns_compared || ' kampanye sebelumnya' end
            || ' (' || c.compared_with || ': ' || replace(format('{:,}', cast(round(c.history_mean) as bigint)), ',', '.')
            || '), sedangkan semua ' || case when c.level = 'regency' then 'kabupaten/kota' else 'provinsi' end
            || ' ' || replace(printf('%.2f', c.level_ratio), '.', ',') || '×; selisih '
            || replace(printf('%.2f', c.difference_pct), '.', ',') || '%, ambang '
            || replace(printf('%.2f', p.max_difference_pct), '.', ',') || '%.' as message
    from compared as c
    cross join params as p
    where abs(c.difference_pct) > p.max_difference_pct
)

select * from final
