"""Writes evals/datasets/duration_questions.jsonl; expected dates from an independent oracle (chinese-calendar,
dateutil, and 2027's statutory days typed from the lunar calendar), not from the tools."""
import json
from datetime import date, datetime, timedelta, timezone
from dateutil.relativedelta import relativedelta
import chinese_calendar as cc

H27 = {date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8), date(2027, 4, 5),
       date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15), date(2027, 10, 1), date(2027, 10, 2),
       date(2027, 10, 3)}


def workday(d):
    if d.year <= 2026:
        return cc.is_workday(d)
    return d.weekday() < 5 and d not in H27


def oracle(event, amount, unit, direction):
    bj = timezone(timedelta(hours=8))
    if isinstance(event, datetime):
        moment = event.astimezone(bj)
        if unit in ("hours", "minutes"):
            delta = timedelta(hours=amount) if unit == "hours" else timedelta(minutes=amount)
            r = moment - delta if direction == "before" else moment + delta
            return r.strftime("%Y-%m-%dT%H:%M+08:00")
        day = moment.date()
    else:
        day = event
    sign = -1 if direction == "before" else 1
    if unit == "working_days":
        n, d = amount, day
        while n:
            d += timedelta(days=sign)
            if workday(d):
                n -= 1
        return d.isoformat()
    if unit == "calendar_days":
        return (day + timedelta(days=sign * amount)).isoformat()
    if unit == "months":
        return (day + relativedelta(months=sign * amount)).isoformat()
    raise ValueError(unit)


D = date.fromisoformat
T = datetime.fromisoformat
W, C, M, H, MI = "working_days", "calendar_days", "months", "hours", "minutes"
Q = [
 ("zh-Hans", "MDF活动12月10日开始,最晚哪天要提交申请?", "伙伴需在活动开始前至少30个自然日提交MDF申请,晚于该时间提交的申请不予受理。", D("2026-12-10"), 30, C, "before"),
 ("zh-Hans", "我们的活动2027年3月1日开始,MDF申请最晚什么时候交?", "伙伴需在活动开始前至少30个自然日提交MDF申请,晚于该时间提交的申请不予受理。", D("2027-03-01"), 30, C, "before"),
 ("zh-Hans", "我2026年10月3日解除了一个客户的关联,什么时候能再解除一次?", "同一客户3个月内仅可解除一次关联关系。", D("2026-10-03"), 3, M, "once_per"),
 ("zh-Hans", "11月30日跟这个客户解除过关联,下次最早哪天可以再解除?", "同一客户3个月内仅可解除一次关联关系。", D("2026-11-30"), 3, M, "once_per"),
 ("zh-Hans", "我们9月28日提交了申诉,华为最晚什么时候给复核结论?", "华为在收到申诉后15个工作日内给出复核结论,复核结论为最终结果。", D("2026-09-28"), 15, W, "within"),
 ("zh-Hans", "10月的伙伴账单11月5日生成,对金额有异议最晚哪天提交核对申请?", "伙伴对伙伴账单的金额有异议时,请在账单生成后10天内通过工单提交核对申请,附上明细截图。", D("2026-11-05"), 10, C, "within"),
 ("zh-Hans", "激励发放审核在2026年12月1日通过,激励款项最晚什么时候支付到对公账户?", "审核通过后,华为将在40个工作日内把激励款项支付到伙伴登记的对公账户。", D("2026-12-01"), 40, W, "within"),
 ("zh-Hans", "MDF核销审核11月16日通过,华为最晚哪天把MDF款项付过来?", "核销审核通过后,华为在30个工作日内将MDF款项支付到伙伴对公账户。", D("2026-11-16"), 30, W, "within"),
 ("zh-Hans", "激励是2026年9月25日发布的,对核算结果有异议,复核申请最晚哪天提?", "核算结果如有异议,伙伴可在激励发布后的15个工作日内通过工单提出复核申请,超过15个工作日不再受理复核,复核结果在受理后20个工作日内反馈。", D("2026-09-25"), 15, W, "within"),
 ("zh-Hans", "客户在2026-11-27 15:30拒绝了邀请,我最早什么时候能再邀请?", "客户拒绝邀请后,伙伴需间隔24小时才能再次向该客户发送邀请。", T("2026-11-27T15:30+08:00"), 24, H, "after"),
 ("zh-Hans", "客户东京时间12月1日9:00拒绝了邀请,按北京时间我什么时候能再发邀请?", "客户拒绝邀请后,伙伴需间隔24小时才能再次向该客户发送邀请。", T("2026-12-01T09:00+09:00"), 24, H, "after"),
 ("zh-Hans", "新协议2027年1月1日生效,华为最晚哪天要通过站内信通知伙伴?", "协议内容更新时,华为会提前15天通过站内信通知伙伴,伙伴需在新协议生效前重新签署。", D("2027-01-01"), 15, C, "before"),
 ("zh-Hans", "对公打款是12月31日发起的,最晚哪天到账?", "对公打款一般在发起后1个工作日内到账。", D("2026-12-31"), 1, W, "within"),
 ("zh-Hans", "积分卡10月9日发布,总经销商申诉最晚哪天提交?", "总经销商对积分卡得分有异议的,可以在积分卡发布后10个工作日内通过工单提出申诉,并附上证明材料。", D("2026-10-09"), 10, W, "within"),
 ("zh-Hans", "商机9月30日成交,最晚哪天要把状态更新为已赢单?", "商机成交后,伙伴需在成交后10个工作日内将商机状态更新为“已赢单”并填写订单号,否则该商机不计入伙伴的商机转化率。", D("2026-09-30"), 10, W, "within"),
 ("zh-Hans", "客户12月20日在费用中心收到授权申请,最晚哪天要同意?", "客户在费用中心收到授权申请后,需在7天内同意,超过7天未处理的申请自动失效。", D("2026-12-20"), 7, C, "within"),
 ("zh-Hans", "工单11月25日关闭了,到哪天还能重新打开?", "已关闭的工单在7天内可以重新打开,超过7天请新建工单并引用原工单号。", D("2026-11-25"), 7, C, "within"),
 ("zh-Hans", "入驻申请12月3日审核通过,最晚哪天要在线签署伙伴计划协议?", "华为在5个工作日内审核入驻申请,审核通过后,伙伴需在30天内在线签署《华为云伙伴计划协议》,逾期未签署的,入驻申请失效,需要重新提交。", D("2026-12-03"), 30, C, "within"),
 ("zh-Hans", "入驻申请2026年9月29日提交,华为最晚哪天审核完入驻申请?", "华为在5个工作日内审核入驻申请,审核通过后,伙伴需在30天内在线签署《华为云伙伴计划协议》,逾期未签署的,入驻申请失效,需要重新提交。", D("2026-09-29"), 5, W, "within"),
 ("zh-Hans", "报备在2026年4月30日提交,华为收到报备后最晚哪天完成审核?", "华为在收到报备后3个工作日内完成审核。", D("2026-04-30"), 3, W, "within"),
 ("zh-Hans", "发票2026年6月18日寄到华为财务,最晚哪天审核完?", "华为财务收到发票后在10个工作日内完成审核。", D("2026-06-18"), 10, W, "within"),
 ("zh-Hans", "培训班2026年12月15日开班,报名截止是哪天?", "报名截止时间为开班前10个自然日,开班前3个自然日内取消报名的,名额不退还。", D("2026-12-15"), 10, C, "before"),
 ("zh-Hans", "活动2026年12月12日开始,活动报名哪天截止?", "报名通常在活动开始前7天截止,报名成功后按活动规则执行,活动奖励在活动结束后的第2个月随激励一并发布。", D("2026-12-12"), 7, C, "before"),
 ("zh-Hans", "代售客户解除关联在2026年11月20日生效,多久内不能和任何伙伴建立代售关联,到哪天为止?", "代售客户解除关联生效后30天内,不能与任何伙伴建立代售关联,但可以建立顾问销售关联;", D("2026-11-20"), 30, C, "within"),
 ("zh-Hans", "验收通知12月28日发给客户,客户最晚哪天要确认验收?", "客户在收到验收通知后15天内确认验收,逾期未确认的视为验收通过。", D("2026-12-28"), 15, C, "within"),
 ("zh-Hans", "核销申请2026年12月24日因材料不全被退回,最晚哪天补齐?", "材料不全的核销申请会被退回,退回后需在10个工作日内补齐,逾期未补齐的按已提交材料核定可核销金额。", D("2026-12-24"), 10, W, "within"),
 ("zh-Hans", "2026年2月10日收到处理通知,对处理结果有异议,申诉最晚哪天?", "伙伴对处理结果有异议的,可在收到处理通知后10个工作日内提出申诉,申诉期间处理决定不停止执行。", D("2026-02-10"), 10, W, "within"),
 ("zh-Hans", "客户11月1日解除关联,我们最晚哪天要删掉保存的客户联系人信息?", "客户解除关联后,伙伴应在30天内删除自行保存的该客户联系人信息。", D("2026-11-01"), 30, C, "within"),
 ("zh-Hans", "认证2027年3月31日到期,最早哪天可以提交续期申请?", "伙伴可在认证到期前60天内提交续期申请,续期审核通过后,新的有效期从原到期日的次日起算。", D("2027-03-31"), 60, C, "before"),
 ("zh-Hans", "系统维护定在2026-12-05 02:00开始,维护通知最晚什么时候发出?", "系统维护通知会在维护开始前至少48小时发出。", T("2026-12-05T02:00+08:00"), 48, H, "before"),
 ("zh-Hans", "商品2026年12月30日因违规被强制下架,最晚哪天完成整改?", "商品因违规被云商店强制下架的,不需要公告期,伙伴需在5个工作日内完成整改,否则不能重新上架。", D("2026-12-30"), 5, W, "within"),
 ("zh-Hans", "紧急故障在2026-11-27 23:50报给代运维伙伴,最晚几点要响应?", "提供代运维服务的伙伴,需承诺对客户一般问题在4小时内响应、紧急故障在30分钟内响应。", T("2026-11-27T23:50+08:00"), 30, MI, "within"),
 ("zh-Hans", "结算单2026年12月26日生成,伙伴最晚哪天确认?", "伙伴需在结算单生成后7天内确认,逾期未确认的结算单视为自动确认。", D("2026-12-26"), 7, C, "within"),
 ("zh-Hans", "邀请链接是2026年11月26日生成的,哪天失效?", "邀请链接自生成起7天内有效,过期后需重新生成。", D("2026-11-26"), 7, C, "within"),
 ("zh-Hans", "折扣申请2026年12月1日发出,客户最晚哪天确认?", "折扣申请发出后,客户需在15天内确认,确认后只对新下的订单生效,已支付的订单不追溯。", D("2026-12-01"), 15, C, "within"),
 ("en", "Our MDF activity starts on 2026-12-10. What is the last day to submit the application?", "Submit the application at least 30 calendar days before the activity starts; later applications are not accepted.", D("2026-12-10"), 30, C, "before"),
 ("en", "I disassociated a customer on 2026-10-03. When can I disassociate it again?", "A customer can be disassociated only once in any 3 months.", D("2026-10-03"), 3, M, "once_per"),
 ("en", "The customer declined my invitation at 09:00 Beijing time on 2026-11-27. When can I invite them again?", "If a customer declines, wait 24 hours before inviting them again.", T("2026-11-27T09:00+08:00"), 24, H, "after"),
 ("en", "The partner bill was generated on 2026-11-05. By when must I submit a ticket to dispute it?", "Submit a ticket within 10 days after the bill is generated, with screenshots.", D("2026-11-05"), 10, C, "within"),
 ("en", "A new KooGallery listing was submitted on 2026-09-30. By when is the review finished?", "The KooGallery operations team reviews a new listing within 3 working days; once approved, the product goes live automatically.", D("2026-09-30"), 3, W, "within"),
 ("en", "The invoice for our settled amount was approved on 2026-12-15. When will Huawei pay at the latest?", "Then invoice Huawei for the settled amount; Huawei pays within 30 working days after the invoice is approved.", D("2026-12-15"), 30, W, "within"),
 ("en", "The MDF activity ended on 2026-11-20. What is the deadline for submitting the claim?", "After the activity, submit the claim within 60 days with photos, the sign-in sheet, expense invoices with payment proof, and a summary.", D("2026-11-20"), 60, C, "within"),
 ("en", "I deleted a sub-user on 2026-12-10. Until when can it be restored?", "Deleted sub-users can be restored within 30 days.", D("2026-12-10"), 30, C, "within"),
 ("en", "We repaid all arrears on 2026-04-30. When is the account unfrozen at the latest?", "Once everything is repaid, the account is unfrozen automatically within 1 working day.", D("2026-04-30"), 1, W, "within"),
 ("en", "My ticket was closed on 2026-11-25. Until which day can I reopen it?", "A closed ticket can be reopened within 7 days; after that, create a new ticket that quotes the old ticket number.", D("2026-11-25"), 7, C, "within"),
 ("en", "The settlement statement was generated on 2026-12-26. By when do I have to confirm it?", "Confirm it within 7 days, or it is confirmed automatically.", D("2026-12-26"), 7, C, "within"),
]
corpus = "\n".join(open(p, encoding="utf-8").read() for p in __import__("glob").glob(str(__import__("pathlib").Path(__file__).parent / "corpus_extended" / "*_*")))
rows = []
for n, (lang, q, s, ev, amt, unit, d) in enumerate(Q, 1):
    assert s in corpus, s
    ev_text = ev.isoformat() if isinstance(ev, datetime) else f"{ev.isoformat()}T00:00:00+08:00"
    rows.append({"id": f"dq{n:03d}", "language": lang, "question": q, "rule_sentence": s, "event_time": ev_text,
                 "expected": oracle(ev, amt, unit, d), "split": "dev" if n % 3 else "held-out"})
open(__import__("pathlib").Path(__file__).parent / "datasets" / "duration_questions.jsonl", "w").write(
    "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
print(len(rows))
for r in rows[:12]: print(r["id"], r["event_time"], r["expected"])
