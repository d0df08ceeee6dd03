-- grain: one row per facility × report_date × method × service_type: the latest version of the record
-- A correction is the same record with a later updated_at; earlier versions stay in staging.daily_records.
with versions as (
    select
        *,
        row_number() over (
            partition by campaign_year, facility_code, report_date, method, service_type
            order by updated_at desc, run_id desc
        ) as newest_first
    from staging.daily_records
),

facilities as (
    select campaign_year, facility_code, district_code from staging.facilities
),

final as (
    select v.* exclude (newest_first), f.district_code
    from versions as v
    left join facilities as f using (campaign_year, facility_code)
    where v.newest_first = 1
)

select * from final
