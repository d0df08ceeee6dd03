-- grain: one row per campaign_year × region_code whose recap figure and facility sum differ beyond the threshold
-- Only where the facility register covers every kabupaten/kota of the region: a province pulled in part,
-- or the nation when only some provinces were pulled, is no fair comparison.
with expected_regencies as (
    select campaign_year, region_code as regency_code, parent_code as province_code
    from campaign_regions()
    where level = 'regency'
),

registered_regencies as (
    select distinct campaign_year, regency_code from staging.facilities
),

coverage as (
    select
        e.campaign_year, e.regency_code, e.province_code,
        g.regency_code is not null as is_registered
    from expected_regencies as e
    left join registered_regencies as g using (campaign_year, regency_code)
),

covered as (
    select campaign_year, regency_code as region_code from coverage where is_registered
    union all
    select campaign_year, province_code from coverage group by all having bool_and(is_registered)
    union all
    select campaign_year, '00' from coverage group by all having bool_and(is_registered)
),

final as (
    select
        r.campaign_year,
        r.region_code,
        r.recap_file as subject,
        r.facility_achieved as value,
        r.recap_achieved as reference_value,
        'Rekap mencatat ' || id_number(r.recap_achieved)
            || ' akseptor, laporan harian faskes berjumlah ' || id_number(r.facility_achieved)
            || ' (selisih ' || id_decimal(r.difference_pct) || '%, ambang ±'
            || id_decimal(threshold('recap_vs_facility', 'threshold')) || '%).' as message
    from marts.reconciliation as r
    join covered as c using (campaign_year, region_code)
    where abs(r.difference_pct) > threshold('recap_vs_facility', 'threshold')
)

select * from final
