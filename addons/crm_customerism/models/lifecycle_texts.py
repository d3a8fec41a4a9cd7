"""Texts of the lifecycle (stage reasons, stage-change notes, complaint risk
reasons, the portal filing note), kept as a code and its values and rendered
when read, in the reader's language: a Chinese reader sees Chinese whoever
(or whatever cron) made the change, and records written before are rendered
the same way (see migrations/18.0.1.1.0)."""

import re

from markupsafe import Markup

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# the automatic rules of the lifecycle stages, and the complaint risk reasons
REASONS = {
    "lapsed": _lt("No order for %(days)s days (lapse limit: %(limit)s days)."),
    "terminating": _lt("Termination notice effective %(date)s."),
    "prospect": _lt("No confirmed order yet."),
    "at_risk_days": _lt(
        "%(days)s days since the last order exceed the at-risk limit of %(limit)s days."
    ),
    "at_risk_interval": _lt(
        "%(days)s days since the last order exceed %(factor)s x the usual "
        "interval of %(interval)s days between orders."
    ),
    "recovered": _lt(
        "Purchase on %(date)s after more than %(limit)s days without order."
    ),
    "new": _lt("First order on %(date)s, less than %(limit)s days ago."),
    "declining": _lt(
        "Value changed by %(rate)s over the last %(months)s months "
        "(decline limit: -%(limit)s)."
    ),
    "growth": _lt(
        "Value changed by %(rate)s over the last %(months)s months "
        "(growth threshold: %(limit)s)."
    ),
    "growth_start": _lt(
        "Value in the last %(months)s months and none in the %(months)s months before."
    ),
    "maturity": _lt(
        "Value changed by %(rate)s over the last %(months)s months: a plateau."
    ),
    "complaint_serious": _lt("Open %(severity)s complaint %(name)s: %(subject)s"),
    "complaint_repeated": _lt(
        "%(count)s complaints in %(days)s days, last %(name)s: %(subject)s"
    ),
    "overdue": _lt(
        "Overdue %(days)s days, %(amount)s (limits: %(limit_days)s days, "
        "%(limit_amount)s)."
    ),
}
# what a user did, before the rule's reason
ACTIONS = {
    "termination_notice": _lt(
        "Termination notice recorded by %(user)s, effective %(date)s: %(reason)s"
    ),
    "termination_withdrawal": _lt("Termination notice withdrawn by %(user)s."),
}
STAGE_NOTE_TITLE = _lt("Lifecycle stage (%(company)s):")
PORTAL_FILED_NOTE = _lt("Complaint filed on the customer portal.")


def translate(env, template, **values):
    """``template`` (a lazy translation) in ``env``'s language, filled with
    ``values``."""
    text = template._translate(env.lang or "en_US")
    return text % values if values else text


def render_reason(env, code, values):
    """The reason ``code`` with its ``values`` in the language of ``env``
    (empty when the code is unknown). ``values`` may hold the user action
    under "action" ({"code", "user", "date", "reason"})."""
    values = dict(values or {})
    parts = []
    action = values.pop("action", None)
    if action and action.get("code") in ACTIONS:
        parts.append(
            translate(
                env,
                ACTIONS[action["code"]],
                user=action.get("user") or "",
                date=action.get("date") or "",
                reason=action.get("reason") or "",
            )
        )
    if code in REASONS:
        if code == "complaint_serious":
            labels = dict(
                env["crm.complaint"]._fields["severity"]._description_selection(env)
            )
            values["severity"] = labels.get(values.get("severity"), "")
        placeholders = re.findall(r"%\((\w+)\)s", REASONS[code]._source)
        parts.append(
            translate(
                env,
                REASONS[code],
                **{key: values.get(key, "") for key in placeholders},
            )
        )
    return " ".join(parts)


def render_stage_note(env, company_name, stage_from, stage_to, reason):
    """HTML body of the chatter note of a stage change, in ``env``'s language."""
    labels = dict(
        env["crm.customer.profile"]
        ._fields["lifecycle_stage"]
        ._description_selection(env)
    )
    return Markup("<p>%s %s &#8594; <b>%s</b><br/>%s</p>") % (
        translate(env, STAGE_NOTE_TITLE, company=company_name),
        labels.get(stage_from, "-"),
        labels.get(stage_to, ""),
        reason or "",
    )


def reason_parsers(env, langs):
    """For the migration of texts stored before: (kind, code, regex) for
    every template in each of ``langs``, the placeholders as named groups."""
    parsers = []
    for kind, templates in (("action", ACTIONS), ("reason", REASONS)):
        for code, template in templates.items():
            for lang in langs:
                text = env(context=dict(env.context, lang=lang))._(template)
                prefix = "a_" if kind == "action" else ""
                pattern, seen = "", set()
                for piece in re.split(r"(%\(\w+\)s)", text):
                    name = re.fullmatch(r"%\((\w+)\)s", piece)
                    if not name:
                        pattern += re.escape(piece)
                    elif name.group(1) in seen:
                        pattern += f"(?P={prefix}{name.group(1)})"
                    else:
                        seen.add(name.group(1))
                        pattern += f"(?P<{prefix}{name.group(1)}>.*?)"
                parsers.append((kind, code, lang, pattern))
    return parsers


def parse_reason(env, text, parsers):
    """(code, values) of a reason stored as text before, or None."""
    text = (text or "").strip()
    actions = [p for p in parsers if p[0] == "action"]
    reasons = [p for p in parsers if p[0] == "reason"]
    for __, code, lang, pattern in reasons:
        found = re.fullmatch(pattern, text, re.DOTALL)
        if found:
            return code, _parsed_values(env, code, lang, found.groupdict())
    for __, action_code, ___, action_pattern in actions:
        for __, code, lang, pattern in reasons:
            found = re.fullmatch(f"{action_pattern} {pattern}", text, re.DOTALL)
            if found:
                values = _parsed_values(env, code, lang, found.groupdict())
                values["action"] = {"code": action_code} | {
                    key[2:]: values.pop(key)
                    for key in list(values)
                    if key.startswith("a_")
                }
                return code, values
    return None


def _parsed_values(env, code, lang, values):
    if code == "complaint_serious":
        labels = {
            label: key
            for key, label in env["crm.complaint"]
            ._fields["severity"]
            ._description_selection(env(context=dict(env.context, lang=lang)))
        }
        values["severity"] = labels.get(values.get("severity"), values.get("severity"))
    return values
