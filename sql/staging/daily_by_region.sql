-- grain: one row per campaign_year × report_date × region_code (kecamatan, kabupaten/kota, province, nation) with reports
with records as (
    select * from staging.daily_current
),

final as (
    select campaign_year, report_date, district_code as region_code, 'district' as level, sum(acceptors) as achieved
    from records where district_code is not null group by all
    union all
    select campaign_year, report_date, regency_code, 'regency', sum(acceptors) from records group by all
    union all
    select campaign_year, report_date, province_code, 'province', sum(acceptors) from records group by all
    union all
    select campaign_year, report_date, '00', 'national', sum(acceptors) from records group by all
)

select * from final
