"""The deterministic plan of the demo data set, independent of Odoo.

:func:`build_plan` turns (seed, today, number of customers) into plain Python
objects: customers with their behaviour profile, and every sale order with
its fate (quotation, cancelled, confirmed), delivery, invoice, payment and
refund dates. Both loaders (:mod:`.orm_loader` for the demo scale and
:mod:`.bulk_loader` for the bench scale) write exactly this plan, so the two
scales share one model of customer behaviour.

Randomness comes from :class:`random.Random` instances seeded with strings
derived from the seed and the customer index: the same seed, today and size
always give the same plan, and a customer's orders do not depend on how many
customers come after it.

Dates: order and delivery moments are naive UTC datetimes during Chinese
business hours (09:00-17:30 Asia/Shanghai); invoice, payment and refund
dates are dates. Nothing is planned after ``today``.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from . import names

HISTORY_DAYS = 730  # 24 months of history ending today

# Behaviour profiles and their share of the customer base. Every profile gets
# at least one customer, whatever the size; steady takes the remainder.
PROFILE_SHARES = {
    "prospect": 0.06,  # no confirmed order; maybe a quotation or an opportunity
    "new": 0.06,  # first order in the last 2 months
    "steady": 0.19,  # regular buyer over the 24 months
    "growing": 0.16,  # rising order frequency and size
    "plateau": 0.13,  # grew during the first months, flat since
    "declining": 0.12,  # falling frequency and size, still buying
    "lapsed": 0.16,  # stopped 9-20 months ago
    "recovered": 0.08,  # stopped for 6+ months, buying again in the last 2 months
    "whale": 0.01,  # very large steady buyer: the top of the pyramid
}
PROFILES = tuple(PROFILE_SHARES)

QUOTE_WINDOW = 30  # orders dated in the last 30 days may still be quotations
CANCEL_RATE = 0.07
OPEN_QUOTE_RATE = 0.25
RETURN_RATE = 0.015  # full return: return picking + credit note
ALLOWANCE_RATE = 0.035  # price allowance (折让): partial credit note


@dataclass(slots=True)
class Customer:
    index: int
    profile: str
    is_company: bool
    name: str
    city: int  # index in names.CITIES
    street: str
    zip: str
    phone: str
    email: str
    salesperson: int  # index in names.SALESPEOPLE
    contacts: list  # (name, function, email, mobile) of persons under a company
    freq: float  # orders per month at full intensity
    size: float  # quantity multiplier
    categories: list  # product category codes the customer mostly buys


@dataclass(slots=True)
class Order:
    """One sale order of the plan.

    ``state`` is draft, sent, cancel or sale; ``lines`` are (product index,
    quantity, unit price). Confirmed orders get ``delivery_at`` (datetime),
    ``invoice_date`` and ``payment_date`` when the step happened before
    today; ``refund`` is None, "return" (everything returned and credited)
    or "allowance" (a credit note of ``refund_ratio`` of the invoice).
    """

    customer: Customer
    date: datetime
    state: str | None
    lines: list
    delivery_at: datetime | None = None
    invoice_date: date | None = None
    due_days: int = 0
    payment_date: date | None = None
    refund: str | None = None
    refund_date: date | None = None
    refund_ratio: float = 0.0


@dataclass(slots=True)
class Purchase:
    supplier: int  # index in names.SUPPLIERS
    date: datetime
    lines: list  # (product index, quantity)
    receipt_at: datetime | None = None
    bill_date: date | None = None
    payment_date: date | None = None


@dataclass(slots=True)
class Lead:
    customer: Customer
    name: str
    category: str
    revenue: float
    stage: str
    date: date
    deadline: date


class Plan:
    def __init__(self, today, customers, orders, purchases, leads):
        self.today = today
        self.start = today - timedelta(days=HISTORY_DAYS)
        self.customers = customers
        self.orders = orders
        self.purchases = purchases
        self.leads = leads

    def line_count(self):
        return sum(len(order.lines) for order in self.orders)

    def delivered_quantities(self):
        """Net quantity shipped per product index (returns excluded)."""
        totals = defaultdict(float)  # the bench catalogue has more products
        for order in self.orders:
            if order.delivery_at and order.refund != "return":
                for product, qty, _price in order.lines:
                    totals[product] += qty
        return totals


# --- random helpers ---------------------------------------------------------


def poisson(rng, lam):
    """Knuth's algorithm; fine for the small rates used here."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def business_moment(rng, day):
    """A naive UTC datetime during Chinese office hours on ``day``."""
    return datetime.combine(day, time(1, 0)) + timedelta(minutes=rng.randrange(510))


def assign_profiles(rng, count):
    quotas = {
        name: max(1, round(share * count)) for name, share in PROFILE_SHARES.items()
    }
    quotas["steady"] += count - sum(quotas.values())
    if quotas["steady"] < 1:
        missing = sum(quotas.values()) - count
        raise ValueError(f"at least {len(PROFILES) + missing} customers are needed")
    profiles = [name for name, quota in quotas.items() for _i in range(quota)]
    rng.shuffle(profiles)
    return profiles


# --- customers ----------------------------------------------------------------

_CITY_WEIGHTS = [city[5] for city in names.CITIES]
_SURNAME_WEIGHTS = [1.0 / (1 + i / 8) for i in range(len(names.SURNAMES))]


def person_name(rng):
    surname = rng.choices(names.SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    given = rng.sample(names.GIVEN_CHARS, rng.choice((1, 2, 2)))
    return (
        surname[0] + "".join(c[0] for c in given),
        "".join(c[1] for c in given),
        surname[1],
    )


def mobile(rng):
    prefix = rng.choice(names.MOBILE_PREFIXES)
    return f"+86 {prefix} {rng.randrange(10000):04d} {rng.randrange(10000):04d}"


class _Identities:
    """Unique company names and e-mail addresses across one plan."""

    def __init__(self):
        self.company_names = set()
        self.emails = set()

    def email(self, rng, local, domain):
        address = f"{local}@{domain}"
        while address in self.emails:
            address = f"{local}{rng.randrange(10, 10000)}@{domain}"
        self.emails.add(address)
        return address

    def company(self, rng, city):
        for _attempt in range(50):
            trade = rng.sample(names.TRADE_CHARS, 2)
            industry = rng.choice(names.INDUSTRIES)
            name = (
                city[0]
                + trade[0][0]
                + trade[1][0]
                + industry[0]
                + rng.choice(names.COMPANY_SUFFIXES)
            )
            if name not in self.company_names:
                break
        else:
            name = f"{name}（{len(self.company_names)}）"
        self.company_names.add(name)
        domain = f"{trade[0][1]}{trade[1][1]}-{industry[1]}.com.cn"
        return name, domain


def make_customer(seed, index, profile, identities):
    rng = random.Random(f"{seed}:customer:{index}")
    city_index = rng.choices(range(len(names.CITIES)), weights=_CITY_WEIGHTS)[0]
    city = names.CITIES[city_index]
    is_company = profile == "whale" or rng.random() < 0.6
    street = f"{rng.choice(city[6])}{rng.choice(names.ROADS)}{rng.randrange(1, 999)}号"
    contacts = []
    if is_company:
        name, domain = identities.company(rng, city)
        email = identities.email(
            rng, rng.choice(("sales", "info", "purchase", "service")), domain
        )
        number = f"{rng.randrange(2000, 9999):04d} {rng.randrange(10000):04d}"
        phone = f"+86 {city[3]} {number}"
        n_contacts = rng.choice((0, 0, 1, 1, 2, 3)) + (2 if profile == "whale" else 0)
        for _i in range(n_contacts):
            c_name, given_py, surname_py = person_name(rng)
            contacts.append(
                (
                    c_name,
                    rng.choice(names.FUNCTIONS),
                    identities.email(rng, f"{given_py}.{surname_py}", domain),
                    mobile(rng),
                )
            )
        size = rng.lognormvariate(0.0, 0.8)
        freq = rng.lognormvariate(math.log(0.45), 0.45)
    else:
        name, given_py, surname_py = person_name(rng)
        email = identities.email(
            rng, f"{given_py}.{surname_py}", rng.choice(names.MAIL_DOMAINS)
        )
        phone = mobile(rng)
        size = rng.lognormvariate(math.log(0.35), 0.5)
        freq = rng.lognormvariate(math.log(0.3), 0.45)
    if profile == "whale":
        size *= rng.uniform(12, 20)
        freq = rng.uniform(2.0, 3.0)
    # East China is served by the first team, the rest by the second one.
    team = 0 if city[2] in ("SH", "ZJ", "JS", "AH", "FJ", "SD") else 1
    low, high = names.TEAMS[team][2]
    return Customer(
        index=index,
        profile=profile,
        is_company=is_company,
        name=name,
        city=city_index,
        street=street,
        zip=city[4] + f"{rng.randrange(1000):03d}",
        phone=phone,
        email=email,
        salesperson=rng.randrange(low, high),
        contacts=contacts,
        freq=freq,
        size=size,
        categories=rng.sample(
            [code for code, _name in names.CATEGORIES], rng.choice((1, 2, 2, 3))
        ),
    )


# --- orders -------------------------------------------------------------------


def _behaviour(rng, profile):
    """Return (intensity(x), trend(x), forced) for a profile.

    ``x`` is the day offset from the start of the history (0..HISTORY_DAYS);
    intensity multiplies the order frequency, trend the quantities; forced
    lists (first day, last day) windows that must hold a confirmed order so
    the profile is visible in the data whatever the random draws.
    """
    end = HISTORY_DAYS
    if profile in ("steady", "whale"):
        first = rng.uniform(0, 60)
        return (
            (lambda x: 1.0 if x >= first else 0.0),
            (lambda x: 1.0),
            [(first, first + 120), (end - 75, end - 3)],
        )
    if profile == "growing":
        first = rng.uniform(0, 250)
        span = end - first

        def intensity(x):
            return 0.0 if x < first else 0.25 + 1.75 * (x - first) / span

        def trend(x):
            return 0.7 + 0.9 * max(0.0, x - first) / span

        return intensity, trend, [(first, first + 90), (end - 60, end - 3)]
    if profile == "plateau":
        ramp = rng.uniform(200, 330)
        return (
            (lambda x: 0.3 + 0.7 * min(1.0, x / ramp)),
            (lambda x: 0.8 + 0.2 * min(1.0, x / ramp)),
            [(0, 90), (end - 75, end - 3)],
        )
    if profile == "declining":
        stop = end - rng.uniform(10, 130)

        def intensity(x):
            return 0.0 if x > stop else 1.9 - 1.6 * x / stop

        return intensity, (lambda x: 1.4 - 0.7 * x / end), [(0, 120), (stop - 60, stop)]
    if profile == "lapsed":
        first = rng.uniform(0, 120)
        stop = end - rng.uniform(275, 600)
        stop = max(stop, first + 60)
        return (
            (lambda x: 1.2 if first <= x <= stop else 0.0),
            (lambda x: 1.0),
            [(first, first + 30), (stop - 30, stop)],
        )
    if profile == "recovered":
        stop = end - rng.uniform(245, 420)
        back = end - rng.uniform(10, 58)

        def intensity(x):
            return 1.2 if x <= stop or x >= back else 0.0

        return intensity, (lambda x: 1.0), [(0, 90), (stop - 30, stop), (back, end - 2)]
    if profile == "new":
        first = end - rng.uniform(5, 58)
        return (
            (lambda x: 1.5 if x >= first else 0.0),
            (lambda x: 1.0),
            [(first, first + 1)],
        )
    return (lambda x: 0.0), (lambda x: 1.0), []


_CATEGORY_PRODUCTS = {
    code: [i for i, product in enumerate(names.PRODUCTS) if product[2] == code]
    for code, _name in names.CATEGORIES
}


def _lines(rng, customer, trend):
    count = 1 + poisson(rng, 1.7 if customer.is_company else 0.5)
    count = min(count, 8)
    favourites = [p for code in customer.categories for p in _CATEGORY_PRODUCTS[code]]
    chosen = set()
    lines = []
    while len(lines) < count:
        pool = favourites if rng.random() < 0.8 else range(len(names.PRODUCTS))
        product = rng.choice(pool)
        if product in chosen:
            if len(chosen) >= len(favourites):
                break
            continue
        chosen.add(product)
        lines.append(_line(rng, customer, product, trend))
    return lines


def _line(rng, customer, product, trend):
    _ref, _name, _cat, price, _cost, typical = names.PRODUCTS[product]
    qty = max(1, round(typical * customer.size * trend * rng.lognormvariate(0.0, 0.45)))
    if customer.profile == "whale":
        price = round(price * 0.92, 2)
    elif customer.size > 3:
        price = round(price * 0.97, 2)
    return (product, float(qty), price)


def _fate(rng, order, today, forced):
    """Quotation or confirmed, then delivery, invoice, payment and refund."""
    age = (today - order.date.date()).days
    if forced:
        order.state = "sale"
    elif age <= QUOTE_WINDOW and rng.random() < OPEN_QUOTE_RATE:
        order.state = rng.choice(("draft", "sent", "sent"))
    elif rng.random() < CANCEL_RATE:
        order.state = "cancel"
    else:
        order.state = "sale"
    if order.state != "sale":
        return
    delivery = order.date + timedelta(
        days=rng.choice((0, 1, 1, 2, 2, 3, 5)), hours=rng.uniform(1, 6)
    )
    if delivery.date() >= today:
        return
    order.delivery_at = delivery
    invoice_date = delivery.date() + timedelta(days=rng.choice((0, 0, 1, 2, 3)))
    if invoice_date > today:
        return
    order.invoice_date = invoice_date
    customer = order.customer
    order.due_days = 30 if customer.is_company else 0
    draw = rng.random()
    if draw < RETURN_RATE:
        refund_date = invoice_date + timedelta(days=rng.randrange(3, 25))
        if refund_date <= today:
            order.refund, order.refund_date = "return", refund_date
            return  # the credit note settles the invoice: no payment
    elif draw < RETURN_RATE + ALLOWANCE_RATE:
        refund_date = invoice_date + timedelta(days=rng.randrange(2, 20))
        if refund_date <= today:
            order.refund, order.refund_date = "allowance", refund_date
            order.refund_ratio = rng.choice((0.05, 0.08, 0.1, 0.15, 0.2))
    bad_payer = 0.15 if customer.profile in ("declining", "lapsed") else 0.04
    if rng.random() < bad_payer:
        return  # never paid: overdue receivable
    delay = order.due_days + (rng.randrange(-5, 25) if customer.is_company else 0)
    payment_date = invoice_date + timedelta(days=max(0, delay))
    if order.refund_date:
        payment_date = max(payment_date, order.refund_date)
    if payment_date <= today:
        order.payment_date = payment_date


def make_orders(seed, customer, today, freq_factor):
    """Every order of one customer, in date order."""
    rng = random.Random(f"{seed}:orders:{customer.index}")
    start = today - timedelta(days=HISTORY_DAYS)
    intensity, trend, forced = _behaviour(rng, customer.profile)
    orders = []
    last_day = HISTORY_DAYS - 1
    if customer.profile != "prospect":
        # Thinning: candidates at the peak rate, kept with intensity / peak.
        peak = 2.0
        rate = customer.freq * freq_factor * peak * 12 / 365.0
        for _i in range(poisson(rng, rate * HISTORY_DAYS)):
            x = rng.uniform(0, last_day)
            if rng.random() * peak < intensity(x):
                orders.append((x, False))
        for low, high in forced:
            # the window must hold a confirmed order: promote or add one
            low, high = max(0.0, low), min(float(last_day), high)
            inside = [i for i, (x, _forced) in enumerate(orders) if low <= x <= high]
            if inside:
                orders[inside[0]] = (orders[inside[0]][0], True)
            else:
                orders.append((rng.uniform(low, high), True))
    else:
        if rng.random() < 0.6:
            orders.append((rng.uniform(last_day - QUOTE_WINDOW + 1, last_day), False))
        if rng.random() < 0.3:
            orders.append((rng.uniform(0, last_day - 60), False))
    result = []
    for x, is_forced in sorted(orders):
        day = start + timedelta(days=int(x))
        order = Order(
            customer, business_moment(rng, day), None, _lines(rng, customer, trend(x))
        )
        if customer.profile == "prospect":
            order.state = (
                rng.choice(("draft", "sent"))
                if x > last_day - QUOTE_WINDOW
                else "cancel"
            )
        else:
            _fate(rng, order, today, is_forced)
        result.append(order)
    return result


def adjust_line_count(seed, orders, target):
    """Add or remove order lines so the plan holds exactly ``target`` lines."""
    if target < len(orders):
        raise ValueError(f"{len(orders)} orders cannot hold only {target} lines")
    rng = random.Random(f"{seed}:adjust")
    diff = target - sum(len(order.lines) for order in orders)
    while diff < 0:
        order = orders[rng.randrange(len(orders))]
        if len(order.lines) > 1:
            order.lines.pop()
            diff += 1
    while diff > 0:
        order = orders[rng.randrange(len(orders))]
        used = {line[0] for line in order.lines}
        if len(used) >= 8:
            continue
        product = rng.randrange(len(names.PRODUCTS))
        if product not in used:
            order.lines.append(_line(rng, order.customer, product, 1.0))
            diff -= 1


# --- purchases and opportunities ------------------------------------------------


def make_purchases(seed, today, count):
    rng = random.Random(f"{seed}:purchases")
    start = today - timedelta(days=HISTORY_DAYS)
    purchases = []
    step = HISTORY_DAYS / count
    for i in range(count):
        supplier = i % len(names.SUPPLIERS)
        day = start + timedelta(days=int(i * step + rng.uniform(0, step / 2)))
        products = [
            p for code in names.SUPPLIERS[supplier][2] for p in _CATEGORY_PRODUCTS[code]
        ]
        lines = [
            (p, float(names.PRODUCTS[p][5] * rng.randrange(10, 30)))
            for p in rng.sample(products, min(3, len(products)))
        ]
        moment = business_moment(rng, day)
        receipt = moment + timedelta(days=rng.randrange(4, 10))
        purchase = Purchase(
            supplier=supplier,
            date=moment,
            lines=lines,
            receipt_at=None,
            bill_date=None,
            payment_date=None,
        )
        if receipt.date() < today:
            purchase.receipt_at = receipt
            bill = receipt.date() + timedelta(days=rng.randrange(0, 4))
            if bill <= today:
                purchase.bill_date = bill
                if bill + timedelta(days=45) <= today:
                    purchase.payment_date = bill + timedelta(days=45)
        purchases.append(purchase)
    return purchases


def make_leads(seed, customers, today):
    rng = random.Random(f"{seed}:leads")
    leads = []
    for customer in customers:
        if customer.profile == "prospect":
            stage = rng.choice(("new", "qualified", "proposition"))
        elif rng.random() < 0.08:
            stage = rng.choice(("qualified", "proposition", "won", "lost"))
        else:
            continue
        code, category = rng.choice(
            [c for c in names.CATEGORIES if c[0] in customer.categories]
        )
        when = today - timedelta(days=rng.randrange(3, 120))
        leads.append(
            Lead(
                customer=customer,
                name=rng.choice(names.LEAD_TITLES).format(cat=category),
                category=code,
                revenue=float(
                    round(
                        rng.lognormvariate(math.log(8000), 0.8)
                        * max(customer.size, 0.5),
                        -2,
                    )
                ),
                stage=stage,
                date=when,
                deadline=when + timedelta(days=rng.randrange(20, 90)),
            )
        )
    return leads


def build_plan(
    seed,
    today,
    customer_count,
    *,
    freq_factor=1.0,
    line_target=None,
    purchase_count=16,
    first_index=0,
):
    """The whole data set as plain objects; see the module docstring."""
    if not isinstance(today, date):
        raise TypeError("today must be a date")
    profiles = assign_profiles(random.Random(f"{seed}:profiles"), customer_count)
    identities = _Identities()
    customers = [
        make_customer(seed, first_index + i, profiles[i], identities)
        for i in range(customer_count)
    ]
    if line_target:
        freq_factor = calibrate(seed, today, customers, line_target)
    orders = []
    for customer in customers:
        orders.extend(make_orders(seed, customer, today, freq_factor))
    orders.sort(key=lambda order: (order.date, order.customer.index))
    if line_target:
        adjust_line_count(seed, orders, line_target)
    return Plan(
        today,
        customers,
        orders,
        make_purchases(seed, today, purchase_count),
        make_leads(seed, customers, today),
    )


def calibrate(seed, today, customers, line_target):
    """Frequency factor giving about ``line_target`` lines (linear fit on a sample)."""
    sample = customers[:: max(1, len(customers) // 2000)]
    ratio = len(customers) / len(sample)

    def lines(factor):
        return ratio * sum(
            len(o.lines) for c in sample for o in make_orders(seed, c, today, factor)
        )

    low, high = lines(0.5), lines(2.0)
    slope = (high - low) / 1.5
    return max(0.05, 0.5 + (line_target - low) / slope) if slope > 0 else 1.0
