-- grain: one row per campaign_year × report_date × regency_code over the campaign window
-- A report is on time when the facility's first report for the day came in by the campaign's
-- reporting deadline (ref.campaigns, WIB), or by the end of the service day (WIB) where none is set.
with facilities as (
    select campaign_year, regency_code, count(*) as facilities_expected
    from staging.facilities
    group by all
),

records as (
    select * from staging.daily_current
),

campaign_days as (
    select
        campaign_year,
        region_map as map_version,
        reporting_deadline_wib,
        cast(unnest(generate_series(first_service_day, last_service_day,
                                    interval 1 day)) as date) as report_date
    from ref.campaigns
),

first_reports as (
    select campaign_year, report_date, regency_code, facility_code, min(reported_at) as first_reported_at
    from records
    group by all
),

deadlines as (
    select
        campaign_year,
        map_version,
        report_date,
        strftime(coalesce(reporting_deadline_wib, report_date + interval '23:59:59'), '%Y-%m-%d %H:%M:%S')
            || '+07' as deadline_text
    from campaign_days
),

reported as (
    select
        f.campaign_year,
        f.report_date,
        f.regency_code,
        count(*) as facilities_reported,
        count(*) filter (where f.first_reported_at <= cast(d.deadline_text as timestamptz)) as reports_on_time
    from first_reports as f
    join deadlines as d using (campaign_year, report_date)
    group by all
),

final as (
    select
        d.campaign_year,
        d.report_date,
        e.regency_code,
        n.region_name,
        n.parent_code as province_code,
        e.facilities_expected,
        coalesce(r.facilities_reported, 0) as facilities_reported,
        coalesce(r.reports_on_time, 0) as reports_on_time,
        pct(coalesce(r.facilities_reported, 0), e.facilities_expected)
            as reporting_rate_pct,
        pct(coalesce(r.reports_on_time, 0), e.facilities_expected)
            as on_time_rate_pct
    from facilities as e
    join deadlines as d using (campaign_year)
    left join reported as r using (campaign_year, report_date, regency_code)
    left join ref.regions as n on n.map_version = d.map_version and n.region_code = e.regency_code
)

select * from final
