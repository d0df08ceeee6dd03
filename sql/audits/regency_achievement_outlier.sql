-- grain: one row per campaign_year × region_code (kabupaten/kota) whose achievement % is an outlier among its province's kabupaten/kota
-- Modified z-score, 0.6745 × (x − median) / MAD, both sides (a kabupaten/kota far below its neighbours is
-- as suspect as one far above). The MAD is taken as at least min_mad percentage points: where a province's
-- kabupaten/kota are nearly alike, or few (the MAD of five values is unsteady), some points off is no outlier. With min_mad 0 and MAD = 0, the mean
-- absolute deviation stands in (0.7979 = 1 / 1.2533); if that is 0 too, nothing is an outlier.
with params as (
    select
        max(value) filter (where parameter = 'threshold') as extreme_z,
        max(value) filter (where parameter = 'moderate') as moderate_z,
        max(value) filter (where parameter = 'min_peers') as min_peers,
        max(value) filter (where parameter = 'min_mad') as min_mad
    from ref.quality_thresholds
    where check_name = 'regency_achievement_outlier'
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
        case
            when greatest(s.mad, p.min_mad) > 0 then 0.6745 * (r.x - c.center) / greatest(s.mad, p.min_mad)
            when s.mean_ad > 0 then 0.7979 * (r.x - c.center) / s.mean_ad
        end as z
    from regencies as r
    join centers as c using (campaign_year, parent_code)
    join spreads as s using (campaign_year, parent_code)
    cross join params as p
    where c.size >= p.min_peers
),

final as (
    select
        s.campaign_year,
        'regency_achievement_outlier' as check_name,
        s.region_code,
        cast(null as varchar) as subject,
        case when abs(s.z) > p.extreme_z then 'extreme' else 'moderate' end as severity,
        s.x as value,
        round(s.center, 2) as reference_value,
        'Capaian ' || id_decimal(s.x) || '% jauh '
            || case when s.z > 0 then 'di atas' else 'di bawah' end
            || ' median ' || id_decimal(s.center) || '% dari ' || s.size
            || ' kabupaten/kota di provinsinya; skor z termodifikasi ' || id_decimal(s.z)
            || ', ambang '
            || case when abs(s.z) > p.extreme_z then 'ekstrem ' || id_decimal(p.extreme_z)
                    else 'sedang ' || id_decimal(p.moderate_z) end
            || '.' as message
    from scored as s
    cross join params as p
    where abs(s.z) > p.moderate_z
)

select * from final
