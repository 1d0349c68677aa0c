"""menu_path_lookup: where in Partner Center a task is done, and the steps.

The catalogue is transcribed from the corpus's procedure excerpts; a test checks every menu
path and tab against the vendored corpus, so nothing here is invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from .model import ToolInput, ToolOutput, explained, interpretation, not_stated, rule

_LOGIN_ZH = ["使用合作伙伴账号登录华为云。", "单击页面右上角账号下拉框中的“伙伴中心”,进入伙伴中心。"]
_LOGIN_EN = ["Sign in to Huawei Cloud with the partner account.",
             "Click Partner Center in the account drop-down at the top right."]


@dataclass(frozen=True)
class _Entry:
    task_zh: str
    task_en: str
    menu_path: str | None
    menu_path_en: str | None
    tab: str | None
    extra_zh: tuple[str, ...]
    extra_en: tuple[str, ...]
    keywords: tuple[str, ...]
    rule_ref: str | None


_CATALOGUE = (
    _Entry("查询消费明细", "query customer consumption details", "销售 > 客户 > 客户消费",
           "Sales > Customers > Customer consumption", "消费明细",
           ("根据需要设置查询条件,查看客户的消费明细。",), ("Set the query conditions to see the details.",),
           ("消费明细", "consumption detail", "客户消费", "customer consumption", "导出消费"),
           "menu.customer_consumption"),
    _Entry("查看消费汇总", "view customer consumption summary", "销售 > 客户 > 客户消费",
           "Sales > Customers > Customer consumption", "消费汇总", (), (),
           ("消费汇总", "consumption summary"), "menu.customer_consumption"),
    _Entry("报备商机", "register an opportunity", "销售 > 拓新 > 机会点管理",
           "Sales > New business > Opportunity management", "商机报备", (), (),
           ("商机", "报备", "opportunit", "机会点", "登记"), "menu.opportunity_management"),
    _Entry("查看伙伴账单", "view the partner bill", "销售 > 账务 > 伙伴账单",
           "Sales > Billing > Partner bill", None,
           ("在页面右上角,伙伴可以选择账期,查看对应账期的伙伴账单信息。",),
           ("At the top right, choose the billing period to see that period's bill.",),
           ("伙伴账单", "账单", "partner bill", "bill", "账期"), "menu.partner_bill"),
    _Entry("查询业绩", "query performance", "销售 > 激励 > 业绩管理",
           "Sales > Incentives > Performance management", None, (), (),
           ("业绩查询", "业绩管理", "业绩明细", "业绩汇总", "performance quer", "performance detail",
            "performance summar", "query performance"), "menu.performance_management"),
    _Entry("查看和导出云商店商品账单", "view and export KooGallery product bills", "销售 > 云商店 > 商品分账",
           "Sales > KooGallery > Product revenue split", None,
           ("导出完成后在导出记录中下载。",), ("After exporting, download it from the export records.",),
           ("云商店", "商品分账", "商品账单", "koogallery", "marketplace", "revenue split"), "menu.kooGallery_split"),
    _Entry("查看业绩看板", "view the performance dashboard", "销售 > 运营看板 > 业绩看板",
           "Sales > Operations dashboards > Performance dashboard", None,
           ("单击“选择主管/客户经理”,筛选出待查看的业绩数据。",),
           ("Click 'Select supervisor/account manager' to filter the performance data.",),
           ("业绩看板", "performance dashboard"), "menu.performance_dashboard"),
    _Entry("查看消费看板", "view the consumption dashboard", "销售 > 运营看板 > 消费看板",
           "Sales > Operations dashboards > Consumption dashboard", "总览", (), (),
           ("消费看板", "consumption dashboard", "消费统计"), "menu.consumption_dashboard"),
    _Entry("查看客户订单", "view customer orders", "销售 > 客户 > 客户订单",
           "Sales > Customers > Customer orders", "我的客户订单", (), (),
           ("订单", "order"), "menu.customer_orders"),
)


class MenuPathInput(ToolInput):
    task: str = Field(min_length=1, max_length=500,
                      description="The feature or task, in Chinese or English, e.g. 查看伙伴账单 / partner bill")


class MenuMatch(ToolInput):
    task_zh: str
    task_en: str
    menu_path: str | None
    menu_path_en: str | None
    tab: str | None
    steps_zh: list[str]
    steps_en: list[str]


class MenuPathResult(ToolOutput):
    found: Literal["yes", "no"]
    matches: list[MenuMatch]


def _steps(entry: _Entry) -> tuple[list[str], list[str]]:
    zh, en = list(_LOGIN_ZH), list(_LOGIN_EN)
    if entry.menu_path:
        zh.append(f"在顶部导航栏中选择“{entry.menu_path}”。")
        en.append(f"In the top navigation bar choose {entry.menu_path_en} ({entry.menu_path}).")
    if entry.tab:
        zh.append(f"选择“{entry.tab}”页签。")
        en.append(f"Open the “{entry.tab}” tab.")
    zh.extend(entry.extra_zh)
    en.extend(entry.extra_en)
    return zh, en


def menu_path_lookup(args: MenuPathInput) -> MenuPathResult:
    """Find the Partner Center menu path (菜单路径) and steps for a task."""
    query = args.task.lower()
    scored = []
    for entry in _CATALOGUE:
        # Longer keyword hits are more specific ("消费明细" beats "消费"), so weight by length.
        score = sum(len(k) for k in entry.keywords if k in query)
        if score:
            scored.append((score, entry))
    scored.sort(key=lambda pair: -pair[0])
    best = [e for s, e in scored if s == scored[0][0]] if scored else []
    trace = [f"matched {len(scored)} catalogue entr{'y' if len(scored) == 1 else 'ies'}; best: "
             + ", ".join(e.task_en for e in best) if best else "no catalogue entry matched"]
    matches = []
    for entry in best:
        zh, en = _steps(entry)
        matches.append(MenuMatch(task_zh=entry.task_zh, task_en=entry.task_en, menu_path=entry.menu_path,
                                 menu_path_en=entry.menu_path_en, tab=entry.tab, steps_zh=zh, steps_en=en))
    if not matches:
        return MenuPathResult(found="no", matches=[], trace=trace, rule_refs=[],
                              **explained([not_stated("资料中没有找到该功能的菜单路径。",
                                                      "The documentation gives no menu path for that task.")]))
    first = matches[0]
    refs = [e.rule_ref for e in best if e.rule_ref]
    return MenuPathResult(
        found="yes", matches=matches, trace=trace, rule_refs=refs,
        **explained([rule(f"{first.task_zh}:在伙伴中心顶部导航栏中选择“{first.menu_path}”"
                          + (f",再选择“{first.tab}”页签。" if first.tab else "。"),
                          f"To {first.task_en}: in Partner Center choose {first.menu_path_en} ({first.menu_path})"
                          + (f", then the “{first.tab}” tab." if first.tab else "."), *refs),
                     interpretation("菜单的英文名称是我们的翻译,我们理解控制台中显示的是中文名称。",
                                    "The English menu labels are our translation; the console shows the "
                                    "Chinese labels.")]))
