//! Property tests: random sequences of calls, cancellations, clock moves and
//! operator overrides go through the breaker and through a plain reference
//! model (`model/reference.rs`); they must agree after every step.

mod model {
    pub mod reference;
}

use std::time::Duration;

use circuit_breaker::{CircuitBreaker, ManualClock, OpenWait, Outcome, Permit, State};
use model::reference::{self, Model, Settings, Ticket};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Acquire,
    Finish(usize, Outcome),
    Cancel(usize),
    Advance(u64),
    Force(State),
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![3 => Just(Outcome::Success), 2 => Just(Outcome::Failure), 1 => Just(Outcome::Ignored)]
}

fn op() -> impl Strategy<Value = Op> {
    let force = prop_oneof![Just(State::Closed), Just(State::Disabled), Just(State::ForcedOpen)];
    prop_oneof![
        5 => Just(Op::Acquire),
        5 => (any::<usize>(), outcome()).prop_map(|(i, o)| Op::Finish(i, o)),
        1 => any::<usize>().prop_map(Op::Cancel),
        3 => (0..3_000u64).prop_map(Op::Advance),
        1 => force.prop_map(Op::Force),
    ]
}

fn settings() -> impl Strategy<Value = Settings> {
    let rates = prop_oneof![Just(0.25), Just(0.5), Just(1.0)];
    let slow = prop_oneof![Just(None), Just(Some(0.5))];
    let consecutive = prop_oneof![Just(None), Just(Some(2)), Just(Some(3))];
    (1..8usize, 1..6usize, rates, slow, consecutive, 1..4usize).prop_map(
        |(window, minimum_calls, failure_rate, slow_rate, consecutive, trials)| Settings {
            window,
            minimum_calls,
            failure_rate,
            slow_rate,
            consecutive,
            trials,
        },
    )
}

fn build(settings: Settings, clock: &ManualClock) -> CircuitBreaker {
    let ms = Duration::from_millis;
    let small = |n: usize| u32::try_from(n).expect("small settings");
    let mut builder = CircuitBreaker::builder()
        .clock(clock.clone())
        .count_window(small(settings.window))
        .minimum_calls(small(settings.minimum_calls))
        .failure_rate(settings.failure_rate)
        .half_open_trials(small(settings.trials))
        .trial_lease(ms(reference::LEASE_MS))
        .open_wait(OpenWait::Exponential {
            initial: ms(reference::INITIAL_WAIT_MS),
            multiplier: 2.0,
            max: ms(reference::MAX_WAIT_MS),
        });
    if let Some(rate) = settings.slow_rate {
        builder = builder.slow_calls(ms(reference::SLOW_MS), rate);
    }
    if let Some(limit) = settings.consecutive {
        builder = builder.consecutive_failures(limit);
    }
    builder.build().expect("valid settings")
}

/// Runs one step on both; panics (failing the property) on disagreement.
fn step<'a>(
    op: &Op,
    breaker: &'a CircuitBreaker,
    (model, clock): (&mut Model, &ManualClock),
    held: &mut Vec<(Permit<'a>, Ticket)>,
) {
    match *op {
        Op::Acquire => acquire(breaker, model, held),
        Op::Finish(i, outcome) if !held.is_empty() => {
            let (permit, ticket) = held.remove(i % held.len());
            permit.record(outcome);
            model.finish(&ticket, outcome);
        }
        Op::Cancel(i) if !held.is_empty() => {
            let (permit, ticket) = held.remove(i % held.len());
            drop(permit);
            model.cancel(&ticket);
        }
        Op::Advance(ms) => {
            clock.advance(Duration::from_millis(ms));
            model.advance(ms);
        }
        Op::Force(state) => force(breaker, model, state),
        Op::Finish(..) | Op::Cancel(_) => {}
    }
}

fn acquire<'a>(
    breaker: &'a CircuitBreaker,
    model: &mut Model,
    held: &mut Vec<(Permit<'a>, Ticket)>,
) {
    match (breaker.try_acquire(), model.acquire()) {
        (Ok(permit), Ok(ticket)) => {
            assert_eq!(permit.is_trial(), ticket.is_trial);
            held.push((permit, ticket));
        }
        (Err(rejected), Err((state, ms))) => {
            let expected = (state, Duration::from_millis(ms));
            assert_eq!((rejected.state, rejected.retry_after), expected);
        }
        (real, expected) => panic!("admission differs: {real:?} vs {expected:?}"),
    }
}

fn force(breaker: &CircuitBreaker, model: &mut Model, state: State) {
    let handle = breaker.handle();
    match state {
        State::Disabled => handle.disable(),
        State::ForcedOpen => handle.force_open(),
        _ => handle.reset(),
    }
    model.transition(state);
}

fn assert_agree(breaker: &CircuitBreaker, model: &Model) {
    let metrics = breaker.handle().metrics();
    assert_eq!(metrics.state, model.state);
    if matches!(model.state, State::Closed | State::Disabled) {
        let failures = model.window.iter().filter(|(failure, _)| *failure).count();
        let slow = model.window.iter().filter(|(_, slow)| *slow).count();
        let counts = (metrics.window_calls, metrics.window_failures, metrics.window_slow_calls);
        assert_eq!(counts, (model.window.len() as u64, failures as u64, slow as u64));
        assert_eq!(metrics.consecutive_failures, u64::from(model.streak));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_breaker_agrees_with_the_reference_model(
        settings in settings(),
        ops in prop::collection::vec(op(), 1..200),
    ) {
        let clock = ManualClock::new();
        let breaker = build(settings, &clock);
        let mut model = Model::new(settings);
        let mut held = Vec::new();
        for op in &ops {
            step(op, &breaker, (&mut model, &clock), &mut held);
            assert_agree(&breaker, &model);
        }
    }

    #[test]
    fn the_time_window_counts_exactly_its_buckets(
        steps in prop::collection::vec((0..4_000u64, any::<bool>()), 1..100),
    ) {
        let clock = ManualClock::new();
        let breaker = CircuitBreaker::builder()
            .clock(clock.clone())
            .time_window(Duration::from_secs(10), 5)
            .minimum_calls(u32::MAX)
            .build()
            .unwrap();
        let (mut now, mut calls) = (0u64, Vec::new());
        for (advance, failure) in steps {
            now += advance;
            clock.advance(Duration::from_millis(advance));
            let outcome = if failure { Outcome::Failure } else { Outcome::Success };
            breaker.try_acquire().unwrap().record(outcome);
            calls.push((now / 2_000, failure));
            let live: Vec<_> = calls.iter().filter(|(tick, _)| tick + 5 > now / 2_000).collect();
            let metrics = breaker.handle().metrics();
            prop_assert_eq!(metrics.window_calls, live.len() as u64);
            prop_assert_eq!(metrics.window_failures, live.iter().filter(|(_, f)| *f).count() as u64);
        }
    }
}
