-- grain: one row per campaign_year × report_date × regency_code × district_code (kecamatan of the facility register) over the campaign window
-- What was known hour by hour, for digests "as of" a time of day: element h + 1 of a *_by_hour list is
-- what had been reported before h:00 WIB of report_date (h = 0 … 24; element 25 = by the end of that day).
-- Facilities without a kecamatan in the register have district_code NULL (one row per kabupaten/kota).
-- Times are WIB (UTC+7) by arithmetic on epoch seconds, whatever the session's time zone.
with register as (
    select campaign_year, province_code, regency_code, district_code, count(*) as facilities_expected
    from staging.facilities
    group by all
),

records as (
    select
        campaign_year, regency_code, coalesce(district_code, '') as district_key, facility_code, report_date,
        acceptors,
        -- hours since the Unix epoch in WIB wall-clock time; a record never counts before its service day
        greatest(epoch(reported_at) + 25200, epoch(cast(report_date as timestamp))) / 3600.0 as reported_hour
    from staging.daily_current
),

campaign_days as (
    select
        campaign_year,
        region_map as map_version,
        cast(unnest(generate_series(cast(first_service_day as date), cast(last_service_day as date),
                                    interval 1 day)) as date) as report_date
    from ref.campaigns
),

grid as (
    select
        r.campaign_year, d.map_version, d.report_date, r.province_code, r.regency_code, r.district_code,
        coalesce(r.district_code, '') as district_key, r.facilities_expected, h.hour_wib,
        epoch(cast(d.report_date as timestamp)) / 3600.0 + h.hour_wib as grid_hour
    from register as r
    join campaign_days as d using (campaign_year)
    cross join (select unnest(range(25)) as hour_wib) as h
),

-- acceptors: a running total per kecamatan over the hours reports came in (counted from the next full hour)
served_hours as (
    select campaign_year, regency_code, district_key, floor(reported_hour) + 1 as from_hour,
           min(report_date) as first_service_day, sum(acceptors) as acceptors
    from records
    group by all
),

served_running as (
    select
        campaign_year, regency_code, district_key, from_hour,
        sum(acceptors) over (partition by campaign_year, regency_code, district_key order by from_hour)
            as cumulative
    from served_hours
),

-- facilities: the first report of each facility for each service day, counted from the next full hour
first_reports as (
    select campaign_year, regency_code, district_key, report_date, facility_code,
           floor(min(reported_hour)) + 1 as from_hour
    from records
    group by all
),

reporting_running as (
    select
        campaign_year, regency_code, district_key, report_date, from_hour,
        sum(facilities) over (partition by campaign_year, regency_code, district_key, report_date order by from_hour)
            as facilities
    from (
        select campaign_year, regency_code, district_key, report_date, from_hour, count(*) as facilities
        from first_reports
        group by all
    )
),

reported_any_time as (
    select campaign_year, regency_code, district_key, report_date, count(*) as facilities_reported
    from first_reports
    group by all
),

hourly as (
    select
        g.campaign_year, g.map_version, g.report_date, g.province_code, g.regency_code, g.district_code,
        g.district_key, g.facilities_expected, g.hour_wib,
        coalesce(s.cumulative, 0) as cumulative,
        coalesce(f.facilities, 0) as facilities
    from grid as g
    asof left join served_running as s
        on s.campaign_year = g.campaign_year and s.regency_code = g.regency_code
        and s.district_key = g.district_key and g.grid_hour >= s.from_hour
    asof left join reporting_running as f
        on f.campaign_year = g.campaign_year and f.regency_code = g.regency_code
        and f.district_key = g.district_key and f.report_date = g.report_date and g.grid_hour >= f.from_hour
),

by_day as (
    select
        campaign_year, map_version, report_date, province_code, regency_code, district_code, district_key,
        facilities_expected,
        list(cast(cumulative as bigint) order by hour_wib) as cumulative_by_hour,
        list(cast(facilities as integer) order by hour_wib) as facilities_reported_by_hour
    from hourly
    group by all
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
        cast(coalesce(a.facilities_reported, 0) as integer) as facilities_reported,
        cast(b.facilities_expected - coalesce(a.facilities_reported, 0) as integer) as facilities_not_reported,
        b.cumulative_by_hour,
        b.facilities_reported_by_hour,
        r.reached_target_at
    from by_day as b
    left join reported_any_time as a using (campaign_year, regency_code, district_key, report_date)
    left join reached as r using (campaign_year, district_code)
    left join ref.regions as n on n.map_version = b.map_version and n.region_code = b.district_code
)

select * from final
