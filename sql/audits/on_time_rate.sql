-- grain: one row per campaign_year × region_code (kabupaten/kota, province, nation) whose on-time rate is below the threshold
-- Timeliness of the reports received: facility-days whose first report came in by the campaign's deadline
-- (marts.reporting_completeness) over facility-days reported.
with completeness as (
    select campaign_year, province_code, regency_code, reports_on_time as part, facilities_reported as whole
    from marts.reporting_completeness
),

final as (
    select *
    from rates_below_threshold(completeness, 'on_time_rate', 'laporan harian faskes', 'masuk sebelum batas waktu')
)

select * from final
