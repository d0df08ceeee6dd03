-- grain: one row per campaign_year × region_code (kabupaten/kota) whose achievement % is an outlier among its province's kabupaten/kota
-- Modified z-score, 0.6745 × (x − median) / MAD, both sides (a kabupaten/kota far below its neighbours is
-- as suspect as one far above). The MAD is taken as at least min_mad percentage points: where a province's
-- kabupaten/kota are nearly alike, or few (the MAD of five values is unsteady), some points off is no outlier
-- (modified_z).
with params as (
    select * from outlier_parameters('regency_achievement_outlier')
),

regencies as (
    select campaign_year, parent_code, region_code, cast(achievement_pct as double) as x
    from staging.achievement
    where level = 'regency' and achievement_pct is not null
),

centers as (
    select campaign_year, parent_code, count(*) as size, median(x) as center
    from regencies
    group by all
),

spreads as (
    select r.campaign_year, r.parent_code, median(abs(r.x - c.center)) as mad, avg(abs(r.x - c.center)) as mean_ad
    from regencies as r
    join centers as c using (campaign_year, parent_code)
    group by all
),

scored as (
    select
        r.*, c.size, c.center,
        modified_z(r.x, c.center, s.mad, s.mean_ad, p.min_mad) as z
    from regencies as r
    join centers as c using (campaign_year, parent_code)
    join spreads as s using (campaign_year, parent_code)
    cross join params as p
    where c.size >= p.min_peers
),

final as (
    select
        s.campaign_year,
        s.region_code,
        outlier_severity(s.z, p.extreme_z) as severity,
        s.x as value,
        round(s.center, 2) as reference_value,
        'Capaian ' || id_decimal(s.x) || '% jauh '
            || case when s.z > 0 then 'di atas' else 'di bawah' end
            || ' median ' || id_decimal(s.center) || '% dari ' || s.size
            || ' kabupaten/kota di provinsinya' || outlier_score(s.z, p.extreme_z, p.moderate_z) as message
    from scored as s
    cross join params as p
    where abs(s.z) > p.moderate_z
)

select * from final
