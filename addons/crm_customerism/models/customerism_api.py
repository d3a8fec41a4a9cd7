"""Validation shared by the XML-RPC methods of the suite (not a model).

The public methods (``customerism_*`` on res.partner, sale.order,
crm.complaint, crm.customer.profile) take plain dicts and lists, as an
external system sends them; every value is checked here against a small
schema, and each error names the item and the field, in the caller's
language (``context={'lang': ...}`` of the call)."""

from datetime import date, datetime

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError

# most items a batch call takes
MAX_BATCH = 1000
# longest text value (names, addresses, keys are shorter: see the schemas)
MAX_TEXT = 10000
MAX_KEY = 128
MAX_NAME = 256


class ItemError(UserError):
    """An error of one item of a batch: reported in its result, the other
    items go on."""


def check_user(env):
    """The caller must be a Customerism user (faults otherwise)."""
    if not env.user.has_group("crm_customerism.group_crm_customerism_user"):
        raise AccessError(
            env._(
                "Access denied: user %(user)s may not use the Customerism API "
                "(the Customerism / User group is needed).",
                user=env.user.login,
            )
        )


def check_items(env, items, max_items=MAX_BATCH):
    """``items`` must be a non-empty list of at most ``max_items`` dicts."""
    if not isinstance(items, (list, tuple)) or not items:
        raise UserError(
            env._(
                "Expected a non-empty list of items, got %(value)s.",
                value=type(items).__name__,
            )
        )
    if len(items) > max_items:
        raise UserError(
            env._(
                "Too many items: %(count)s (at most %(max)s per call).",
                count=len(items),
                max=max_items,
            )
        )


def item_label(item, index):
    """How an item is named in errors: its position and its key."""
    if isinstance(item, dict) and isinstance(item.get("key"), str):
        return f"#{index} ({item.get('source') or ''}/{item['key'][:MAX_KEY]})"
    return f"#{index}"


def _type_names(env):
    return {
        "str": env._("a text"),
        "bool": env._("true or false"),
        "int": env._("an integer"),
        "float": env._("a number"),
        "list": env._("a list"),
        "dict": env._("a structure (dict)"),
        "date": env._("a date (YYYY-MM-DD)"),
        "datetime": env._("a date and time (YYYY-MM-DD HH:MM:SS, UTC)"),
    }


def clean(env, label, data, schema, required=()):
    """``data`` checked against ``schema`` (field -> (type, max length or
    allowed values)); returns the cleaned dict. Raises ItemError naming the
    item ``label`` and the field."""
    if not isinstance(data, dict):
        raise ItemError(
            env._(
                "Item %(item)s: expected a structure (dict), got %(value)s.",
                item=label,
                value=type(data).__name__,
            )
        )
    unknown = sorted(set(data) - set(schema))
    if unknown:
        raise ItemError(
            env._(
                "Item %(item)s: unknown field %(field)s (known fields: %(known)s).",
                item=label,
                field=", ".join(str(f) for f in unknown),
                known=", ".join(sorted(schema)),
            )
        )
    for name in required:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ItemError(
                env._(
                    "Item %(item)s: field %(field)s is required.",
                    item=label,
                    field=name,
                )
            )
    result = {}
    for name, value in data.items():
        if value is None:
            continue
        kind, limit = schema[name]
        result[name] = _clean_value(env, label, name, value, kind, limit)
    return result


def _clean_value(env, label, name, value, kind, limit):
    def wrong():
        return ItemError(
            env._(
                "Item %(item)s: field %(field)s must be %(type)s, not %(value)s.",
                item=label,
                field=name,
                type=_type_names(env)[kind],
                value=repr(value)[:60],
            )
        )

    checks = {
        "str": _clean_text,
        "bool": _clean_bool,
        "int": _clean_number,
        "float": _clean_number,
        "list": _clean_list,
        "dict": _clean_dict,
        "date": _clean_date,
        "datetime": _clean_date,
    }
    return checks[kind](env, value, kind, limit, wrong, label, name)


def _clean_text(env, value, kind, limit, wrong, label, name):
    if not isinstance(value, str):
        raise wrong()
    value = value.strip()
    if isinstance(limit, int) and len(value) > limit:
        raise ItemError(
            env._(
                "Item %(item)s: field %(field)s is longer than %(max)s "
                "characters (%(length)s).",
                item=label,
                field=name,
                max=limit,
                length=len(value),
            )
        )
    if isinstance(limit, (tuple, list)) and value not in limit:
        raise ItemError(
            env._(
                "Item %(item)s: field %(field)s: unknown value %(value)s "
                "(expected one of %(values)s).",
                item=label,
                field=name,
                value=value[:60],
                values=", ".join(limit),
            )
        )
    return value


def _clean_bool(env, value, kind, limit, wrong, label, name):
    if not isinstance(value, bool):
        raise wrong()
    return value


def _clean_number(env, value, kind, limit, wrong, label, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise wrong()
    if kind == "int" and not isinstance(value, int):
        raise wrong()
    low, high = limit
    if not low <= value <= high:
        raise ItemError(
            env._(
                "Item %(item)s: field %(field)s is out of range: %(value)s "
                "(from %(low)s to %(high)s).",
                item=label,
                field=name,
                value=value,
                low=low,
                high=high,
            )
        )
    return value


def _clean_list(env, value, kind, limit, wrong, label, name):
    if not isinstance(value, (list, tuple)):
        raise wrong()
    if len(value) > limit:
        raise ItemError(
            env._(
                "Item %(item)s: field %(field)s has more than %(max)s entries.",
                item=label,
                field=name,
                max=limit,
            )
        )
    return list(value)


def _clean_dict(env, value, kind, limit, wrong, label, name):
    if not isinstance(value, dict):
        raise wrong()
    return value


def _clean_date(env, value, kind, limit, wrong, label, name):
    if not isinstance(value, str):
        raise wrong()
    try:
        if kind == "date":
            parsed = fields.Date.to_date(value)
        else:
            parsed = fields.Datetime.to_datetime(value)
    except ValueError:
        raise wrong() from None
    if not isinstance(parsed, (date, datetime)):
        raise wrong()
    return parsed


def item_result(index, item, status, record=None, message=""):
    """One line of a batch answer."""
    return {
        "index": index,
        "source": (item.get("source") or False) if isinstance(item, dict) else False,
        "key": (item.get("key") or False) if isinstance(item, dict) else False,
        "status": status,
        "id": record.id if record else False,
        "name": (record.display_name or False) if record else False,
        "message": message,
    }


def check_call(model, items=None, access=None):
    """The preamble of every API method: the caller is a Customerism user
    with ``access`` (create, write, ...) on ``model`` when given, and
    ``items``, when given, is a batch of at most MAX_BATCH. The messages are
    in the caller's language (``context={'lang': ...}``, through env._)."""
    check_user(model.env)
    if access:
        model.check_access(access)
    if items is not None:
        check_items(model.env, items)


def run_batch(model, items, process, access="create", prepare=None):
    """The preamble (check_call), then ``prepare(items)`` once when given (a
    batch's set-based part, returning {item label: (record, status)} of the
    items it did), then ``process(item, label)`` -> (record, status) on every
    other item, each in its own savepoint: a bad item writes nothing and the
    others go on. Returns the per-item results."""
    check_call(model, items, access)
    done = prepare(items) if prepare else {}
    env = model.env
    results = []
    for index, item in enumerate(items):
        label = item_label(item, index)
        if label in done:
            results.append(item_result(index, item, done[label][1], done[label][0]))
            continue
        try:
            with env.cr.savepoint():
                record, status = process(item, label)
            results.append(item_result(index, item, status, record))
        except ItemError as error:
            results.append(item_result(index, item, "error", message=str(error)))
        except (UserError, psycopg2.IntegrityError) as error:
            # an Odoo check or a constraint on this item. A serialization
            # failure (the same key committed meanwhile by another call) is
            # not caught: Odoo's RPC dispatch retries the whole call.
            message = env._("Item %(item)s: %(error)s", item=label, error=str(error))
            results.append(item_result(index, item, "error", message=message))
    return results


def to_text(value):
    """A date or datetime as text for XML-RPC (False when empty)."""
    if isinstance(value, datetime):
        return fields.Datetime.to_string(value)
    if isinstance(value, date):
        return fields.Date.to_string(value)
    return value or False
