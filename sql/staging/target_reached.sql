-- grain: one row per campaign_year × region_code that reached 100% of its target in the daily data
-- Records are taken in the order they were served and reported (report_date, then reported_at); the
-- record that carries a region's running total to its target fixes the day and the moment it got there.
-- Records reported at the same moment are summed first: the running totals only change between moments.
with moments as (
    select campaign_year, province_code, regency_code, district_code, report_date, reported_at,
           sum(acceptors) as acceptors
    from staging.daily_current
    group by all
),

by_level as (
    select campaign_year, district_code as region_code, report_date, reported_at, sum(acceptors) as acceptors
    from moments where district_code is not null group by all
    union all
    select campaign_year, regency_code, report_date, reported_at, sum(acceptors) from moments group by all
    union all
    select campaign_year, province_code, report_date, reported_at, sum(acceptors) from moments group by all
    union all
    select campaign_year, '00', report_date, reported_at, sum(acceptors) from moments group by all
),

running as (
    select
        *,
        sum(acceptors) over (
            partition by campaign_year, region_code
            order by report_date, reported_at
            rows between unbounded preceding and current row
        ) as running_achieved
    from by_level
),

targets as (
    select campaign_year, region_code, target from staging.daily_targets_by_region where target > 0
),

final as (
    select
        r.campaign_year,
        r.region_code,
        min(r.report_date) as reached_target_on,
        arg_min(r.reported_at, (r.report_date, r.reported_at)) as reached_target_at
    from running as r
    join targets as t using (campaign_year, region_code)
    where r.running_achieved >= t.target
    group by all
)

select * from final
