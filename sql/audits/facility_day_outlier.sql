-- grain: one row per campaign_year × facility_code × report_date whose acceptors are an outlier against its reference set
-- Modified z-score (Iglewicz and Hoaglin): 0.6745 × (x − median) / MAD, on x = ln(1 + acceptors) because
-- facility sizes multiply (on raw counts the large facilities of any kabupaten would all be "extreme").
-- The reference set: the facility's own days when it has at least min_own_days of them (campaign days
-- are front-loaded, so only a long window makes its days comparable), else the facilities of its kind in
-- its kabupaten/kota on the same day when there are at least min_peers; otherwise it is not scored.
-- The MAD is taken as at least min_mad: facility sizes vary widely, so a tight reference set would make
-- any large facility an outlier (modified_z).
with params as (
    select * from outlier_parameters('facility_day_outlier')
),

daily_sums as (
    select campaign_year, regency_code, facility_code, report_date, sum(acceptors) as acceptors
    from staging.daily_current
    group by all
),

-- materialised once: the reference sets below all read it
facility_days as materialized (
    select d.*, coalesce(f.kind, 'unknown') as kind, ln(1 + d.acceptors) as x
    from daily_sums as d
    left join staging.facilities as f using (campaign_year, facility_code)
),

campaign_windows as (
    select
        campaign_year,
        date_diff('day', cast(first_service_day as date), cast(last_service_day as date)) + 1 as window_days
    from ref.campaigns
),

-- a facility's own days can only be its reference set in a window of at least min_own_days (no PSA
-- window so far: 2025's is 15 days), so they are counted there alone
own_days as (
    select d.campaign_year, d.facility_code, count(*) as days
    from facility_days as d
    join campaign_windows as w using (campaign_year)
    where w.window_days >= (select min_own_days from params)
    group by all
),

own_sets as (
    select d.campaign_year, d.facility_code, count(*) as size, median(d.x) as center, mad(d.x) as mad,
           median(d.acceptors) as median_acceptors
    from facility_days as d
    join own_days as o using (campaign_year, facility_code)
    where o.days >= (select min_own_days from params)
    group by all
),

peer_sets as (
    select campaign_year, regency_code, kind, report_date, count(*) as size, median(x) as center, mad(x) as mad,
           median(acceptors) as median_acceptors
    from facility_days
    group by all
),

referenced as (
    select
        d.*,
        case when o.size is not null then 'own_days' when g.size >= p.min_peers then 'peers' end as reference_set,
        od.days as own_days,
        w.window_days,
        g.size as peers,
        coalesce(o.center, g.center) as center,
        coalesce(o.median_acceptors, g.median_acceptors) as median_acceptors,
        coalesce(o.mad, g.mad) as mad
    from facility_days as d
    cross join params as p
    join campaign_windows as w using (campaign_year)
    join peer_sets as g using (campaign_year, regency_code, kind, report_date)
    left join own_days as od using (campaign_year, facility_code)
    left join own_sets as o using (campaign_year, facility_code)
),

-- the mean absolute deviation of a reference set, needed only where its MAD is 0
own_mean_deviations as (
    select o.campaign_year, o.facility_code, avg(abs(d.x - o.center)) as mean_ad
    from own_sets as o
    join facility_days as d using (campaign_year, facility_code)
    where o.mad = 0
    group by all
),

peer_mean_deviations as (
    select g.campaign_year, g.regency_code, g.kind, g.report_date, avg(abs(d.x - g.center)) as mean_ad
    from peer_sets as g
    join facility_days as d using (campaign_year, regency_code, kind, report_date)
    where g.mad = 0
    group by all
),

scored as (
    select
        r.*,
        modified_z(r.x, r.center, r.mad, if(r.reference_set = 'own_days', om.mean_ad, pm.mean_ad), p.min_mad) as z
    from referenced as r
    cross join params as p
    left join own_mean_deviations as om using (campaign_year, facility_code)
    left join peer_mean_deviations as pm using (campaign_year, regency_code, kind, report_date)
    where r.reference_set is not null
),

final as (
    select
        s.campaign_year,
        s.regency_code as region_code,
        s.facility_code || ' ' || strftime(s.report_date, '%Y-%m-%d') as subject,
        outlier_severity(s.z, p.extreme_z) as severity,
        s.acceptors as value,
        s.median_acceptors as reference_value,
        'Faskes ' || s.facility_code || coalesce(' (' || f.facility_name || ')', '') || ' melayani '
            || id_number(cast(s.acceptors as bigint)) || ' akseptor pada '
            || day(s.report_date) || ' '
            || ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September',
                'Oktober', 'November', 'Desember'][month(s.report_date)] || ' ' || year(s.report_date)
            || ', jauh di atas median '
            || regexp_replace(translate(format('{:,.1f}', s.median_acceptors), ',.', '.,'), ',0$', '')
            || case
                when s.reference_set = 'own_days' then ' dari ' || s.own_days || ' hari laporannya sendiri'
                    || ' (termasuk hari ini)'
                else ' dari ' || s.peers || ' faskes sejenis (' || replace(s.kind, '_', ' ')
                    || ', termasuk faskes ini) di kabupaten/kota yang sama hari itu ('
                    || case when s.own_days is null then 'kampanye ini hanya ' || s.window_days || ' hari'
                            else 'faskes ini hanya punya ' || s.own_days || ' hari laporan' end
                    || ', kurang dari ' || cast(p.min_own_days as integer)
                    || ' untuk dibandingkan dengan dirinya sendiri)'
            end
            || outlier_score(s.z, p.extreme_z, p.moderate_z) as message
    from scored as s
    cross join params as p
    left join staging.facilities as f using (campaign_year, facility_code)
    where s.z > p.moderate_z
)

select * from final
