-- grain: one row per campaign_year × region_code (kabupaten/kota, province, nation) whose reporting rate is below the threshold
-- A facility of the register reported when it has at least one record in the campaign window: most
-- acceptors come on the first day, so a facility with nothing to report on a later day is not missing.
with threshold as (
    select value as min_pct
    from ref.quality_thresholds
    where check_name = 'reporting_rate' and parameter = 'threshold'
),

registered as (
    select campaign_year, province_code, regency_code, facility_code from staging.facilities
),

reported as (
    select distinct campaign_year, facility_code from staging.daily_current
),

facilities as (
    select g.*, r.facility_code is not null as has_reported
    from registered as g
    left join reported as r using (campaign_year, facility_code)
),

by_region as (
    select campaign_year, regency_code as region_code, count(*) as expected,
           count(*) filter (where has_reported) as reported
    from facilities group by all
    union all
    select campaign_year, province_code, count(*), count(*) filter (where has_reported)
    from facilities group by all
    union all
    select campaign_year, '00', count(*), count(*) filter (where has_reported)
    from facilities group by all
),

rates as (
    select *, round(100.0 * reported / expected, 2) as rate_pct from by_region
),

final as (
    select
        r.campaign_year,
        'reporting_rate' as check_name,
        r.region_code,
        cast(null as varchar) as subject,
        'flag' as severity,
        r.rate_pct as value,
        t.min_pct as reference_value,
        'Hanya ' || id_number(r.reported) || ' dari '
            || id_number(r.expected) || ' faskes terdaftar ('
            || id_decimal(r.rate_pct) || '%) melapor selama kampanye; ambang '
            || id_decimal(t.min_pct) || '%.' as message
    from rates as r
    cross join threshold as t
    where r.rate_pct < t.min_pct
)

select * from final
