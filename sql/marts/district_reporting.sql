-- grain: one row per campaign_year × report_date × regency_code × district_code (kecamatan of the facility register) over the campaign window
-- What was known hour by hour, for digests "as of" a time of day: element h + 1 of a *_by_hour list is
-- what had been reported before h:00 WIB of report_date (h = 0 … 24; element 25 = by the end of that day).
-- A report counts from the next full hour after it came in. Hours are whole hours since the Unix epoch in
-- WIB (UTC+7) wall-clock time, by arithmetic on epoch seconds, whatever the session's time zone; a day
-- starts at hour day_start and its in-day hours are 1 … 24 after it. Facilities without a kecamatan in
-- the register have district_code NULL (one row per kabupaten/kota).
with register as (
    select campaign_year, province_code, regency_code, district_code, count(*) as facilities_expected
    from staging.facilities
    group by all
),

records as (
    select
        campaign_year, regency_code, coalesce(district_code, '') as district_key, facility_code, report_date,
        acceptors,
        -- a record never counts before its service day
        greatest(epoch(reported_at) + 25200, epoch(cast(report_date as timestamp))) / 3600.0 as reported_hour
    from staging.daily_current
),

campaign_days as (
    select
        campaign_year,
        region_map as map_version,
        cast(unnest(generate_series(first_service_day, last_service_day,
                                    interval 1 day)) as date) as report_date
    from ref.campaigns
),

district_days as (
    select
        r.campaign_year, d.map_version, d.report_date, r.province_code, r.regency_code, r.district_code,
        coalesce(r.district_code, '') as district_key, r.facilities_expected,
        cast(epoch(cast(d.report_date as timestamp)) / 3600 as bigint) as day_start
    from register as r
    join campaign_days as d using (campaign_year)
),

-- acceptors by the hour from which they count, and their running total per kecamatan
served_hours as (
    select campaign_year, regency_code, district_key, cast(floor(reported_hour) + 1 as bigint) as from_hour,
           sum(acceptors) as acceptors
    from records
    group by all
),

served_running as (
    select
        *,
        sum(acceptors) over (partition by campaign_year, regency_code, district_key order by from_hour)
            as cumulative
    from served_hours
),

-- what counted before each day began
served_before as (
    select d.campaign_year, d.regency_code, d.district_key, d.report_date, coalesce(s.cumulative, 0) as base
    from district_days as d
    asof left join served_running as s
        on s.campaign_year = d.campaign_year and s.regency_code = d.regency_code
        and s.district_key = d.district_key and d.day_start >= s.from_hour
),

-- what came during each day, by in-day hour (1 … 24)
served_in_day as (
    select
        d.campaign_year, d.regency_code, d.district_key, d.report_date,
        list({'hour': s.from_hour - d.day_start, 'n': s.acceptors}) as hours
    from district_days as d
    join served_hours as s
        on s.campaign_year = d.campaign_year and s.regency_code = d.regency_code
        and s.district_key = d.district_key and s.from_hour > d.day_start and s.from_hour <= d.day_start + 24
    group by all
),

-- facilities: the first report of each facility for each service day, by in-day hour
first_reports as (
    select
        f.campaign_year, f.regency_code, f.district_key, f.report_date,
        cast(floor(min(f.reported_hour)) + 1 as bigint) - cast(epoch(cast(f.report_date as timestamp)) / 3600 as bigint)
            as hour
    from records as f
    group by f.campaign_year, f.regency_code, f.district_key, f.report_date, f.facility_code
),

reported_in_day as (
    select
        campaign_year, regency_code, district_key, report_date,
        count(*) as facilities_reported,
        list({'hour': hour, 'n': 1}) filter (where hour <= 24) as hours
    from first_reports
    group by all
),

by_day as (
    select
        d.*,
        coalesce(a.facilities_reported, 0) as facilities_reported,
        [cast(coalesce(b.base, 0) + coalesce(list_sum([x.n for x in coalesce(s.hours, []) if x.hour <= h]), 0)
              as bigint) for h in range(25)] as cumulative_by_hour,
        [cast(coalesce(list_sum([x.n for x in coalesce(a.hours, []) if x.hour <= h]), 0) as integer)
         for h in range(25)] as facilities_reported_by_hour
    from district_days as d
    left join served_before as b using (campaign_year, regency_code, district_key, report_date)
    left join served_in_day as s using (campaign_year, regency_code, district_key, report_date)
    left join reported_in_day as a using (campaign_year, regency_code, district_key, report_date)
),

reached as (
    select campaign_year, region_code as district_code, reached_target_at from staging.target_reached
),

final as (
    select
        b.campaign_year,
        b.report_date,
        b.province_code,
        b.regency_code,
        b.district_code,
        n.region_name as district_name,
        cast(b.facilities_expected as integer) as facilities_expected,
        cast(b.facilities_reported as integer) as facilities_reported,
        cast(b.facilities_expected - b.facilities_reported as integer) as facilities_not_reported,
        b.cumulative_by_hour,
        b.facilities_reported_by_hour,
        r.reached_target_at
    from by_day as b
    left join reached as r using (campaign_year, district_code)
    left join ref.regions as n on n.map_version = b.map_version and n.region_code = b.district_code
)

select * from final
