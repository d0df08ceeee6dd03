-- grain: one row per campaign_year × region_code (kabupaten/kota, province, nation) whose on-time rate is below the threshold
-- Timeliness of the reports received: facility-days whose first report came in by the campaign's deadline
-- (marts.reporting_completeness) over facility-days reported.
with threshold as (
    select value as min_pct
    from ref.quality_thresholds
    where check_name = 'on_time_rate' and parameter = 'threshold'
),

completeness as (
    select campaign_year, regency_code, province_code, facilities_reported, reports_on_time
    from marts.reporting_completeness
),

by_region as (
    select campaign_year, regency_code as region_code, sum(facilities_reported) as reported,
           sum(reports_on_time) as on_time
    from completeness group by all
    union all
    select campaign_year, province_code, sum(facilities_reported), sum(reports_on_time)
    from completeness group by all
    union all
    select campaign_year, '00', sum(facilities_reported), sum(reports_on_time)
    from completeness group by all
),

rates as (
    select *, round(100.0 * on_time / reported, 2) as rate_pct from by_region where reported > 0
),

final as (
    select
        r.campaign_year,
        'on_time_rate' as check_name,
        r.region_code,
        cast(null as varchar) as subject,
        'flag' as severity,
        r.rate_pct as value,
        t.min_pct as reference_value,
        'Hanya ' || id_number(cast(r.on_time as bigint)) || ' dari '
            || id_number(cast(r.reported as bigint)) || ' laporan harian faskes ('
            || id_decimal(r.rate_pct) || '%) masuk sebelum batas waktu; ambang '
            || id_decimal(t.min_pct) || '%.' as message
    from rates as r
    cross join threshold as t
    where r.rate_pct < t.min_pct
)

select * from final
