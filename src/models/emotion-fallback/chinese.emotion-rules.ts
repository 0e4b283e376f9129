// Reading one Chinese line without a model: a seed lexicon written by hand for this project (MIT; not
// taken from any published lexicon) of words and characters per emotion, matched as character n-grams
// (longest first, 4 down to 1 characters, each character used once), plus negation (不/没/别 just before
// cancels a word, and turns joy into sadness at half weight), intensifiers (太/非常/好/真/特别/超/很 raise the
// next word) and exclamation marks. A line whose best emotion scores under `neutralBelow` is neutral.
import { EKMAN6, type Ekman6 } from "./english-seeds.js";
import type { RawScores } from "./english.emotion-rules.js";

/** entry → weight 1 unless written "entry:weight" */
const LEXICON: Record<Ekman6, string> = {
  anger: `生气 愤怒 气死 气得 可恶 混蛋 王八蛋 畜生 滚 闭嘴 该死 恨 讨厌 烦死 受够 骗 骗子 凭什么 敢 欺负 羞辱 背叛
    捅 算账 报仇 偿命 宰了 打断 过分 无耻 蠢 蠢货 白痴 笨蛋 混账 你以为你是谁 毁了 作弊 不算话 借口 自私 臭钱 开除:0.5
    给我:0.5 发火 火大 吵 骂 狗东西 去死 住口 放肆 少废话`,
  disgust: `恶心 反胃 想吐 吐 呕 脏 脏死 臭 臭死 馊 腐烂 烂肉 蛆 蟑螂 苍蝇 虱子 老鼠 黏糊糊 黏 油腻 猥琐 下流 下贱 人渣
    恶臭 难闻 难吃 污渍 鼻屎 口水 鸡皮疙瘩 低俗 变态 恶劣 呸 呃:0.5 咦:0.3 垃圾 粪 尿 霉`,
  fear: `害怕 怕 恐惧 可怕 吓 吓死 救命 救救 快跑 跑 躲 逃 危险 发抖 颤抖 噩梦 鬼 紧张 担心 不安 慌 心跳 喘不过气
    求求你 别伤害 小声 别出声 听见 有人 有东西 盯着 困住 出不去 失灵 撞上 掉下去 抓住 死定 枪 癌症 锁门 别开 不对劲 老天保佑
    黑暗 黑 声音:0.5 脚步声`,
  joy: `高兴 开心 快乐 幸福 喜欢 爱 太好了 太棒 棒 好极了 成功 赢 赢了 胜利 庆祝 干杯 恭喜 祝贺 生日快乐 快乐 笑 哈哈
    谢谢 感谢 骄傲 激动 兴奋 好玩 好吃 美 完美 自由 结婚 答应 录取 放假 好球 进了 请客 没事 健康 想你:0.5 终于:0.5 意义重大
    真高兴 好想 乐 喜 甜`,
  sadness: `难过 伤心 悲伤 痛苦 心痛 哭 眼泪 泪 孤单 孤独 寂寞 一个人 想念 怀念 失去 去世 走了 死了 葬 葬礼 再见 永别 对不起
    太晚 遗憾 后悔 失望 失败 放弃 空 离开 不在了 没保住 安乐死 再也 没意思 假装 原谅 心碎 可怜 惨 绝望 没了 尽力 等 亲人`,
  surprise: `天哪 天啊 我的天 我的妈呀 哇 惊讶 吃惊 惊喜 不可能 真的吗 不会吧 居然 竟然 没想到 想不到 不敢相信 怎么会 什么？
    等等 等一下 开玩笑 你认真的 一直都 这么多年 原来 突然 吓我一跳 哎呀 咦 怎么了 真的 从来不 什么时候 怎么在这儿`,
};

const NEGATORS = ["不", "没", "别", "没有", "不是", "从不"];
const INTENSIFIERS = ["太", "非常", "好", "真", "特别", "超", "很", "真是", "实在"];
const AROUSED: Ekman6[] = ["anger", "fear", "joy", "surprise"];
const MAX_N = 6;

const ENTRIES: ReadonlyMap<string, [Ekman6, number]> = (() => {
  const map = new Map<string, [Ekman6, number]>();
  for (const e of EKMAN6)
    for (const item of LEXICON[e].split(/\s+/).filter(Boolean)) {
      const [word, weight] = item.split(":");
      if (!map.has(word!)) map.set(word!, [e, weight ? Number(weight) : 1]);
    }
  return map;
})();

export class ChineseEmotionRules {
  constructor(readonly neutralBelow = 0.5) {}

  score(text: string): RawScores {
    const s = text.normalize("NFKC").replace(/\?/g, "？").replace(/!/g, "！");
    const chars = Array.from(s);
    const scores = Object.fromEntries(EKMAN6.map((e) => [e, 0])) as RawScores;
    for (let i = 0; i < chars.length;) {
      const match = longestEntry(chars, i);
      if (!match) {
        i++;
        continue;
      }
      const [word, [emotion, weight]] = match;
      const before = chars.slice(Math.max(0, i - 2), i).join("");
      const negated = NEGATORS.some((n) => before.endsWith(n)) && !word.startsWith("不") && !word.startsWith("没");
      const boost = INTENSIFIERS.some((x) => before.endsWith(x)) ? 1.5 : 1;
      if (negated) {
        if (emotion === "joy") scores.sadness += 0.5 * weight;
      } else scores[emotion] += weight * boost;
      i += Array.from(word).length;
    }
    if (s.includes("！")) for (const e of AROUSED) scores[e] *= 1.3;
    return scores;
  }
}

/** The longest lexicon entry starting at chars[i] (character n-grams from MAX_N down to 1). */
function longestEntry(chars: string[], i: number): [string, [Ekman6, number]] | undefined {
  for (let n = Math.min(MAX_N, chars.length - i); n >= 1; n--) {
    const gram = chars.slice(i, i + n).join("");
    const hit = ENTRIES.get(gram);
    if (hit) return [gram, hit];
  }
  return undefined;
}
