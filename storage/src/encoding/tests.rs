//! Round-trip, forced-codec, corruption and exact-size tests for the block encodings.
use proptest::prelude::*;

use super::io::Reader;
use super::*;

// ---------------------------------------------------------------------------------------------
// Helpers

fn rt_i64(values: &[i64]) -> (Codec, usize) {
    let mut buf = vec![0xAA]; // encoders append
    let codec = encode_i64(values, &mut buf);
    let block = &buf[1..];
    assert_eq!(block[0], codec as u8);
    let mut out = vec![7];
    decode_i64(block, values.len(), &mut out).unwrap();
    assert_eq!(&out[1..], values, "codec {codec:?}");
    (codec, block.len())
}

fn rt_ts(values: &[i64]) -> (Codec, usize) {
    let mut buf = Vec::new();
    let codec = encode_timestamps(values, &mut buf);
    assert_eq!(buf[0], codec as u8);
    let mut out = Vec::new();
    decode_timestamps(&buf, values.len(), &mut out).unwrap();
    assert_eq!(out, values, "codec {codec:?}");
    (codec, buf.len())
}

fn same_f64(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn rt_f64(values: &[f64]) -> (Codec, usize) {
    let mut buf = Vec::new();
    let codec = encode_f64(values, &mut buf);
    assert_eq!(buf[0], codec as u8);
    let mut out = vec![1.0];
    decode_f64(&buf, values.len(), &mut out).unwrap();
    assert!(same_f64(&out[1..], values), "codec {codec:?}");
    (codec, buf.len())
}

fn rt_bool(values: &[bool]) -> (Codec, usize) {
    let mut buf = Vec::new();
    let codec = encode_bool(values, &mut buf);
    let mut out = vec![true];
    decode_bool(&buf, values.len(), &mut out).unwrap();
    assert_eq!(&out[1..], values, "codec {codec:?}");
    (codec, buf.len())
}

fn check_bytes_block(block: &[u8], values: &[Vec<u8>]) {
    // Decode after one existing entry: codes must index the whole dictionary.
    let mut dict = vec![b"existing".to_vec()];
    let mut codes = vec![0];
    decode_bytes(block, values.len(), &mut dict, &mut codes).unwrap();
    assert_eq!(codes.len(), values.len() + 1);
    for (c, v) in codes[1..].iter().zip(values) {
        assert!(*c >= 1);
        assert_eq!(&dict[*c as usize], v);
    }
}

fn rt_bytes(values: &[Vec<u8>]) -> (Codec, usize) {
    let views: Vec<&[u8]> = values.iter().map(|v| v.as_slice()).collect();
    let mut buf = Vec::new();
    let codec = encode_bytes(&views, &mut buf);
    check_bytes_block(&buf, values);
    (codec, buf.len())
}

/// Decodes `block` as integers with a plain vector sink.
fn dec_ints(block: &[u8], n: usize) -> Vec<i64> {
    let mut out = Vec::new();
    decode_i64(block, n, &mut out).unwrap();
    out
}

/// Every integer codec, forced.
fn forced_i64(values: &[i64]) {
    type Enc<'a> = Box<dyn Fn(&mut Vec<u8>) -> Codec + 'a>;
    let mut encoders: Vec<(&str, Enc<'_>)> = vec![
        ("raw", Box::new(|o| raw::encode_i64(values, o))),
        ("for", Box::new(|o| bitpack::encode(values, o))),
        ("delta", Box::new(|o| delta::encode(values, o))),
        ("rle", Box::new(|o| rle::encode_i64(values, o))),
        (
            "chooser-no-rle",
            Box::new(|o| choose::encode_ints(values, o, false)),
        ),
    ];
    if let Some(&f) = values.first()
        && values.iter().all(|&v| v == f)
    {
        encoders.push(("constant", Box::new(move |o| constant::encode_i64(f, o))));
    }
    for (name, enc) in &encoders {
        let mut buf = Vec::new();
        let codec = enc(&mut buf);
        assert_eq!(buf.first(), Some(&(codec as u8)));
        assert_eq!(dec_ints(&buf, values.len()), values, "{name}");
    }
    // Regular grid with any step, all points possibly exceptions.
    for step in [
        0,
        1,
        1_000_000,
        -3,
        timestamps::detect_step(&choose::sample(values)),
    ] {
        let mut buf = Vec::new();
        assert!(timestamps::encode(values, step, usize::MAX, &mut buf));
        assert_eq!(dec_ints(&buf, values.len()), values, "regular step {step}");
    }
}

fn forced_f64(values: &[f64]) {
    let check = |buf: &[u8], name: &str| {
        let mut out = Vec::new();
        decode_f64(buf, values.len(), &mut out).unwrap();
        assert!(same_f64(&out, values), "{name}");
    };
    let mut buf = Vec::new();
    raw::encode_f64(values, &mut buf);
    check(&buf, "raw");
    for e in 0..=alp::MAX_EXPONENT {
        let mut buf = Vec::new();
        if alp::encode(values, e, &mut buf) {
            check(&buf, "alp");
        }
    }
    if let Some(f) = values.first()
        && values.iter().all(|v| v.to_bits() == f.to_bits())
    {
        let mut buf = Vec::new();
        constant::encode_f64(*f, &mut buf);
        check(&buf, "constant");
    }
}

fn forced_bool(values: &[bool]) {
    for enc in [bitmap::encode, rle::encode_bool] {
        let mut buf = Vec::new();
        enc(values, &mut buf);
        let mut out = Vec::new();
        decode_bool(&buf, values.len(), &mut out).unwrap();
        assert_eq!(out, values);
    }
}

fn forced_bytes(values: &[Vec<u8>]) {
    let views: Vec<&[u8]> = values.iter().map(|v| v.as_slice()).collect();
    let mut buf = Vec::new();
    raw::encode_bytes(&views, &mut buf);
    check_bytes_block(&buf, values);
    let mut buf = Vec::new();
    dict::encode(&views, &mut buf);
    check_bytes_block(&buf, values);
    let mut buf = Vec::new();
    assert!(zstdblock::encode(&views, &mut buf));
    check_bytes_block(&buf, values);
}

/// Runs every decoder on `block` with `n`; none may panic, and output is all-or-nothing.
fn decode_all_kinds(block: &[u8], n: usize) {
    let mut i = vec![5i64];
    match decode_i64(block, n, &mut i) {
        Ok(()) => assert_eq!(i.len(), n + 1),
        Err(_) => assert_eq!(i, [5]),
    }
    let mut f = vec![5.0];
    match decode_f64(block, n, &mut f) {
        Ok(()) => assert_eq!(f.len(), n + 1),
        Err(_) => assert_eq!(f.len(), 1),
    }
    let mut b = vec![true];
    match decode_bool(block, n, &mut b) {
        Ok(()) => assert_eq!(b.len(), n + 1),
        Err(_) => assert_eq!(b.len(), 1),
    }
    let (mut d, mut c) = (vec![vec![1u8]], vec![0u32]);
    match decode_bytes(block, n, &mut d, &mut c) {
        Ok(()) => {
            assert_eq!(c.len(), n + 1);
            assert!(c.iter().all(|&c| (c as usize) < d.len()));
        }
        Err(_) => assert_eq!((d.len(), c.len()), (1, 1)),
    }
}

/// Truncations at every length and single-bit flips of a valid block never panic.
fn mangle(block: &[u8], n: usize, flips: &[(usize, u8)]) {
    for len in 0..block.len() {
        decode_all_kinds(&block[..len], n);
    }
    for &(pos, bit) in flips {
        if block.is_empty() {
            break;
        }
        let mut b = block.to_vec();
        let p = pos % b.len();
        b[p] ^= 1 << (bit % 8);
        decode_all_kinds(&b, n);
        decode_all_kinds(&b, n + 1);
        decode_all_kinds(&b, n.saturating_sub(1));
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies

fn len_strategy() -> impl Strategy<Value = usize> + Clone {
    prop_oneof![8 => 0usize..300, 2 => 300usize..2100, 1 => Just(8192usize)]
}

fn i64_strategy() -> impl Strategy<Value = Vec<i64>> {
    let lens = len_strategy();
    prop_oneof![
        lens.clone()
            .prop_flat_map(|n| proptest::collection::vec(any::<i64>(), n)),
        lens.clone()
            .prop_flat_map(|n| proptest::collection::vec(-100i64..100, n)),
        // a chosen bit width, at a random offset, including the extremes
        (0u32..=64, any::<i64>(), lens.clone()).prop_flat_map(|(w, base, n)| {
            let mask = if w == 64 { u64::MAX } else { (1u64 << w) - 1 };
            proptest::collection::vec(any::<u64>(), n).prop_map(move |v| {
                v.into_iter()
                    .map(|x| base.wrapping_add((x & mask) as i64))
                    .collect()
            })
        }),
        // runs of values
        proptest::collection::vec(
            (
                prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>()],
                1usize..500
            ),
            0..40
        )
        .prop_map(|runs| runs
            .into_iter()
            .flat_map(|(v, l)| std::iter::repeat_n(v, l))
            .collect()),
        // step counters
        (any::<i64>(), proptest::collection::vec(0i64..3, 0..3000)).prop_map(|(s, d)| d
            .iter()
            .scan(s, |a, &x| {
                *a = a.wrapping_add(x);
                Some(*a)
            })
            .collect()),
        lens.prop_flat_map(|n| proptest::collection::vec(
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0i64), Just(-1i64)],
            n
        )),
    ]
}

fn ts_strategy() -> impl Strategy<Value = Vec<i64>> {
    prop_oneof![
        // regular with jitter and gaps
        (
            any::<i32>(),
            prop_oneof![Just(1_000_000i64), Just(1_000i64), 1i64..10_000_000],
            len_strategy(),
            proptest::collection::vec((0usize..9000, -5000i64..5000, any::<bool>()), 0..20),
        )
            .prop_map(|(t0, step, n, events)| {
                let mut v: Vec<i64> = (0..n as i64).map(|i| i64::from(t0) * 1000 + i * step).collect();
                for (pos, d, gap) in events {
                    if n == 0 {
                        break;
                    }
                    let p = pos % n;
                    if gap {
                        v[p..].iter_mut().for_each(|x| *x += d.abs() * step);
                    } else {
                        v[p] += d;
                    }
                }
                v
            }),
        // sorted random
        proptest::collection::vec(any::<i64>(), 0..600).prop_map(|mut v| {
            v.sort_unstable();
            v
        }),
        // random order
        proptest::collection::vec(any::<i64>(), 0..600),
    ]
}

fn f64_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        // NaN with various payloads and signs
        (any::<bool>(), 1u64..(1 << 52))
            .prop_map(|(s, m)| f64::from_bits((u64::from(s) << 63) | 0x7ff0_0000_0000_0000 | m)),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(0.0),
        Just(f64::MIN_POSITIVE),
        Just(f64::MAX),
        Just(f64::MIN),
        // subnormals
        (1u64..(1 << 52), any::<bool>()).prop_map(|(m, s)| f64::from_bits((u64::from(s) << 63) | m)),
        any::<f64>(),
        (-1_000_000i64..1_000_000, 0u32..6).prop_map(|(n, e)| n as f64 / 10f64.powi(e as i32)),
        (any::<i64>(), 0u32..20).prop_map(|(n, e)| n as f64 / 10f64.powi(e as i32)),
    ]
}

fn f64_strategy() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        4 => len_strategy().prop_flat_map(|n| proptest::collection::vec(f64_value(), n)),
        // decimal signals with a few specials mixed in
        4 => (len_strategy(), 0u32..4, proptest::collection::vec((0usize..9000, f64_value()), 0..10)).prop_flat_map(
            |(n, e, specials)| proptest::collection::vec(-50_000i64..50_000, n).prop_map(move |ints| {
                let mut v: Vec<f64> = ints.iter().map(|&i| i as f64 / 10f64.powi(e as i32)).collect();
                for &(p, s) in &specials {
                    if !v.is_empty() {
                        let l = v.len();
                        v[p % l] = s;
                    }
                }
                v
            })
        ),
        1 => (f64_value(), 0usize..3000).prop_map(|(v, n)| vec![v; n]),
    ]
}

fn bool_strategy() -> impl Strategy<Value = Vec<bool>> {
    prop_oneof![
        len_strategy().prop_flat_map(|n| proptest::collection::vec(any::<bool>(), n)),
        proptest::collection::vec((any::<bool>(), 1usize..700), 0..30).prop_map(|r| r
            .into_iter()
            .flat_map(|(v, l)| std::iter::repeat_n(v, l))
            .collect()),
    ]
}

fn bytes_strategy() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop_oneof![
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..300),
        (
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..12), 1..6),
            len_strategy()
        )
            .prop_flat_map(|(alphabet, n)| {
                let k = alphabet.len();
                proptest::collection::vec(0..k, n)
                    .prop_map(move |idx| idx.into_iter().map(|i| alphabet[i].clone()).collect())
            }),
        proptest::collection::vec(
            (
                prop_oneof![
                    Just(b"RUNNING".to_vec()),
                    Just(b"IDLE".to_vec()),
                    Just(Vec::new())
                ],
                1usize..400
            ),
            0..20
        )
        .prop_map(|r| r
            .into_iter()
            .flat_map(|(v, l)| std::iter::repeat_n(v, l))
            .collect()),
    ]
}

// ---------------------------------------------------------------------------------------------
// Property tests

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn prop_i64_roundtrip(values in i64_strategy()) {
        rt_i64(&values);
        forced_i64(&values);
    }

    #[test]
    fn prop_timestamps_roundtrip(values in ts_strategy()) {
        rt_ts(&values);
        forced_i64(&values);
    }

    #[test]
    fn prop_f64_roundtrip(values in f64_strategy()) {
        rt_f64(&values);
        forced_f64(&values);
    }

    #[test]
    fn prop_bool_roundtrip(values in bool_strategy()) {
        rt_bool(&values);
        forced_bool(&values);
    }

    #[test]
    fn prop_bytes_roundtrip(values in bytes_strategy()) {
        rt_bytes(&values);
        forced_bytes(&values);
    }

    #[test]
    fn prop_random_bytes_never_panic(block in proptest::collection::vec(any::<u8>(), 0..200), n in 0usize..5000) {
        decode_all_kinds(&block, n);
        // and behind every valid tag
        for tag in 0u8..12 {
            let mut b = block.clone();
            if let Some(first) = b.first_mut() {
                *first = tag;
            }
            decode_all_kinds(&b, n);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn prop_corrupt_i64_never_panics(
        values in i64_strategy().prop_filter("small", |v| v.len() < 1000),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..40),
    ) {
        let mut buf = Vec::new();
        encode_i64(&values, &mut buf);
        mangle(&buf, values.len(), &flips);
        let mut buf = Vec::new();
        rle::encode_i64(&values, &mut buf);
        mangle(&buf, values.len(), &flips);
        let mut buf = Vec::new();
        delta::encode(&values, &mut buf);
        mangle(&buf, values.len(), &flips);
        let mut buf = Vec::new();
        timestamps::encode(&values, 1, usize::MAX, &mut buf);
        mangle(&buf, values.len(), &flips);
    }

    #[test]
    fn prop_corrupt_ts_never_panics(
        values in ts_strategy().prop_filter("small", |v| v.len() < 1000),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..40),
    ) {
        let mut buf = Vec::new();
        encode_timestamps(&values, &mut buf);
        mangle(&buf, values.len(), &flips);
    }

    #[test]
    fn prop_corrupt_f64_never_panics(
        values in f64_strategy().prop_filter("small", |v| v.len() < 1000),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..40),
    ) {
        let mut buf = Vec::new();
        encode_f64(&values, &mut buf);
        mangle(&buf, values.len(), &flips);
    }

    #[test]
    fn prop_corrupt_bool_bytes_never_panic(
        bools in bool_strategy().prop_filter("small", |v| v.len() < 1000),
        strings in bytes_strategy().prop_filter("small", |v| v.len() < 1000),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..40),
    ) {
        let mut buf = Vec::new();
        encode_bool(&bools, &mut buf);
        mangle(&buf, bools.len(), &flips);
        let mut buf = Vec::new();
        rle::encode_bool(&bools, &mut buf);
        mangle(&buf, bools.len(), &flips);
        let views: Vec<&[u8]> = strings.iter().map(|v| v.as_slice()).collect();
        for enc in [dict::encode, raw::encode_bytes] {
            let mut buf = Vec::new();
            enc(&views, &mut buf);
            mangle(&buf, strings.len(), &flips);
        }
        let mut buf = Vec::new();
        zstdblock::encode(&views, &mut buf);
        mangle(&buf, strings.len(), &flips);
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic cases

/// splitmix64, for reproducible pseudo-random data.
fn rng(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn every_bit_width_and_length() {
    let mut seed = 1;
    for w in 0..=64u32 {
        let mask = if w == 64 { u64::MAX } else { (1u64 << w) - 1 };
        for n in [0, 1, 2, 63, 64, 65, 127, 128, 129, 200, 1000] {
            // a base that keeps base + mask from wrapping, so that the width is exactly w
            let headroom = u64::MAX - mask;
            let r = rng(&mut seed);
            let off = if headroom == u64::MAX {
                r
            } else {
                r % (headroom + 1)
            };
            let base = i64::MIN.wrapping_add(off as i64);
            let mut v: Vec<i64> = (0..n)
                .map(|_| base.wrapping_add((rng(&mut seed) & mask) as i64))
                .collect();
            // force the full width in the first miniblock
            if n > 1 {
                v[0] = base;
                v[1] = base.wrapping_add(mask as i64);
            }
            let mut buf = Vec::new();
            bitpack::encode(&v, &mut buf);
            if n > 1 {
                assert_eq!(buf[1], w as u8);
                let first_mb = n.min(bitpack::MINIBLOCK);
                // tag + width + reference + packed bytes of the first miniblock at least
                assert!(buf.len() >= 2 + (first_mb * w as usize).div_ceil(8));
            }
            assert_eq!(dec_ints(&buf, n), v, "width {w} n {n}");
            rt_i64(&v);
            forced_i64(&v);
        }
    }
}

#[test]
fn edge_values() {
    rt_i64(&[]);
    rt_i64(&[i64::MIN]);
    rt_i64(&[i64::MAX]);
    rt_i64(&[i64::MIN, i64::MAX, i64::MIN, 0, -1, i64::MAX]);
    rt_ts(&[]);
    rt_ts(&[42]);
    rt_ts(&[i64::MAX, i64::MIN]);
    let specials = [
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001),
        f64::from_bits(0xfff8_dead_beef_0001),
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        0.0,
        f64::from_bits(1),
        f64::MAX,
        f64::MIN,
        0.1,
        1e300,
    ];
    rt_f64(&[]);
    for s in specials {
        rt_f64(&[s]);
        forced_f64(&[s]);
        let mut v: Vec<f64> = (0..300).map(|i| f64::from(i) / 10.0).collect();
        v[17] = s;
        v[0] = s;
        rt_f64(&v);
        forced_f64(&v);
    }
    rt_f64(&specials);
    forced_f64(&specials);
    rt_bool(&[]);
    rt_bool(&[true]);
    rt_bytes(&[]);
    rt_bytes(&[Vec::new()]);
    rt_bytes(&[b"x".to_vec()]);
    forced_bytes(&[]);
    forced_bool(&[]);
    forced_i64(&[]);
    forced_f64(&[]);
}

#[test]
fn wrong_kind_and_unknown_tags() {
    assert_eq!(
        decode_i64(&[], 0, &mut Vec::new()),
        Err(EncodingError::Truncated("missing codec tag"))
    );
    assert_eq!(
        decode_i64(&[200], 0, &mut Vec::new()),
        Err(EncodingError::UnknownCodec(200))
    );
    let mut buf = Vec::new();
    encode_bool(&[true, false], &mut buf);
    assert!(decode_i64(&buf, 2, &mut Vec::new()).is_err());
    let mut buf = Vec::new();
    encode_i64(&[1, 2, 3], &mut buf);
    buf.push(0);
    assert_eq!(
        decode_i64(&buf, 3, &mut Vec::new()),
        Err(EncodingError::Corrupt("trailing bytes after block"))
    );
    for tag in 0..=9 {
        let c = Codec::from_u8(tag).unwrap();
        assert_eq!(c as u8, tag);
        assert!(!c.name().is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Exact sizes (catch size regressions)

#[test]
fn size_constant_blocks() {
    // tag + zigzag varint(5) = 10
    assert_eq!(rt_i64(&[5; 8192]), (Codec::Constant, 2));
    // tag + 8 bytes of bits
    assert_eq!(rt_f64(&[21.5; 8192]), (Codec::Constant, 9));
    assert_eq!(rt_f64(&[f64::NAN; 3]), (Codec::Constant, 9));
    // empty blocks are a bare raw tag
    assert_eq!(rt_i64(&[]), (Codec::Raw, 1));
    assert_eq!(rt_f64(&[]), (Codec::Raw, 1));
    assert_eq!(rt_bytes(&[]), (Codec::Raw, 1));
}

#[test]
fn size_regular_timestamps() {
    let t0 = 1_767_571_200_000_000i64; // 2026-01-05 00:00:00 UTC in µs
    let v: Vec<i64> = (0..3600).map(|i| t0 + i * 1_000_000).collect();
    // tag + t0 (8) + zigzag(1e6) = 2e6 (3 bytes) + exception count (1)
    assert_eq!(rt_ts(&v), (Codec::Regular, 13));
    // one jittered sample: + gap varint (2 bytes for 1000 << 1) + zigzag(+3 µs) (1 byte)
    let mut j = v.clone();
    j[1000] += 3;
    assert_eq!(rt_ts(&j), (Codec::Regular, 16));
    // a gap of 60 s: one anchor exception, the grid restarts after it
    let mut g = v.clone();
    g[2000..].iter_mut().for_each(|x| *x += 60_000_000);
    assert_eq!(rt_ts(&g), (Codec::Regular, 13 + 2 + 4));
}

#[test]
fn size_bitpacked() {
    // 0..64: one miniblock of width 6: tag + width + zigzag(0) + 64 * 6 / 8 bytes
    let v: Vec<i64> = (0..64).collect();
    let mut buf = Vec::new();
    bitpack::encode(&v, &mut buf);
    assert_eq!(buf.len(), 3 + 48);
    assert_eq!(&buf[..3], &[Codec::For as u8, 6, 0]);
    // a step counter 100, 101, ... : delta = constant 1 → width 0
    let c: Vec<i64> = (100..100 + 128).collect();
    let mut buf = Vec::new();
    delta::encode(&c, &mut buf);
    // tag + first (zigzag 100 = 200: 2 bytes) + 2 miniblocks × (width 0 + zigzag ref)
    assert_eq!(buf, [Codec::DeltaFor as u8, 200, 1, 0, 2, 0, 0]);
    assert_eq!(rt_i64(&c).1, 7);
}

#[test]
fn size_alp_and_runs() {
    // 64 temperatures 20.0, 20.1, ... 26.3 at e = 1: integers 200..263 (width 6, ref 200)
    let v: Vec<f64> = (0..64).map(|i| f64::from(200 + i) / 10.0).collect();
    let mut buf = Vec::new();
    assert!(alp::encode(&v, 1, &mut buf));
    // tag, e, 0 exceptions, nested: the chooser picks delta-for (constant delta 1): tag, zigzag(200)=400
    // (2 bytes), one miniblock (width 0, zigzag(1) = 2)
    assert_eq!(
        buf,
        [Codec::Alp as u8, 1, 0, Codec::DeltaFor as u8, 0x90, 3, 0, 2]
    );
    assert_eq!(rt_f64(&v), (Codec::Alp, 8));
    // one NaN: + position varint + 8 raw bytes
    let mut w = v.clone();
    w[10] = f64::NAN;
    // (the slot holds the previous integer, so the deltas become {0, 1, 2}: width 2 = 16 bytes)
    // tag, e, 1 exception, position 10, 8 bytes; nested delta-for: tag, 2-byte first, width, ref, 16
    assert_eq!(rt_f64(&w), (Codec::Alp, 12 + 5 + 16));
    // booleans: one run of 8192 → tag, first value, 1 run, nested constant(8192): tag + 3-byte varint
    assert_eq!(rt_bool(&[true; 8192]), (Codec::Rle, 7));
    // alternating → bitmap: tag + 2 bytes
    let alt: Vec<bool> = (0..16).map(|i| i % 2 == 0).collect();
    assert_eq!(rt_bool(&alt), (Codec::Bitmap, 3));
    // dictionary of two states in two runs: tag, 2 entries (1 + 7 + 1 + 4 bytes), codes as RLE
    let mut states = vec![b"RUNNING".to_vec(); 3000];
    states.extend(vec![b"IDLE".to_vec(); 600]);
    let (codec, size) = rt_bytes(&states);
    assert_eq!(codec, Codec::Dict);
    // codes: rle tag, 2 runs, values delta-for [0,1] (tag, 0, width 0, zigzag 1) = 4 bytes,
    // lengths [3000, 600] as delta-for: tag, zigzag(3000) 2 bytes, width 0, zigzag(-2400) 2 bytes = 6
    assert_eq!(size, 2 + 13 + 2 + 4 + 6);
}

// ---------------------------------------------------------------------------------------------
// Kernel speed (release): `cargo test --release -- --ignored bench_ --nocapture`

#[test]
#[ignore]
fn bench_unpack_kernel() {
    use std::time::Instant;
    let mut seed = 7;
    for w in [1u32, 3, 4, 7, 8, 9, 12, 16, 20, 24, 32, 40, 48, 64] {
        let mask = if w == 64 { u64::MAX } else { (1u64 << w) - 1 };
        let v: Vec<i64> = (0..8192).map(|_| (rng(&mut seed) & mask) as i64).collect();
        let mut buf = Vec::new();
        bitpack::encode(&v, &mut buf);
        let reps = 2000;
        // kernel only: unpack every miniblock into a stack buffer
        let mut mb = [0i64; bitpack::MINIBLOCK];
        let mut acc = 0i64;
        let t = Instant::now();
        for _ in 0..reps {
            let mut r = Reader::new(&buf[1..]);
            bitpack::decode_body(&mut r, v.len(), &mut |c: &mut [i64]| {
                acc = acc.wrapping_add(c[0]);
                Ok(())
            })
            .unwrap();
            mb[0] = acc;
        }
        let kern = (reps * v.len()) as f64 / t.elapsed().as_secs_f64() / 1e6;
        // full column decode into a vector
        let mut out = Vec::with_capacity(8192);
        let t = Instant::now();
        for _ in 0..reps {
            out.clear();
            decode_i64(&buf, v.len(), &mut out).unwrap();
        }
        let col = (reps * v.len()) as f64 / t.elapsed().as_secs_f64() / 1e6;
        println!(
            "width {w:2}: unpack {kern:6.0} M values/s, decode_i64 {col:6.0} M values/s ({})",
            mb[0] & 1
        );
    }
}
