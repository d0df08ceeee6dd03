-- grain: one row per campaign_year × region_code (kabupaten/kota, province, nation) whose reporting rate is below the threshold
-- A facility of the register reported when it has at least one record in the campaign window: most
-- acceptors come on the first day, so a facility with nothing to report on a later day is not missing.
with reported as (
    select distinct campaign_year, facility_code from staging.daily_current
),

facilities as (
    select g.campaign_year, g.province_code, g.regency_code, (r.facility_code is not null)::integer as part,
           1 as whole
    from staging.facilities as g
    left join reported as r using (campaign_year, facility_code)
),

final as (
    select *
    from rates_below_threshold(facilities, 'reporting_rate', 'faskes terdaftar', 'melapor selama kampanye')
)

select * from final
